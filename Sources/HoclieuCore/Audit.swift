import Crypto
public import Foundation

/// Something that happened, to be appended to the audit log.
public struct AuditDraft: Sendable, Equatable {
    /// Who did it (`0`: the command line; nil: an anonymous caller, e.g. a failed sign-in).
    public var actorID: Int64?
    /// A dotted verb: `submission.created`, `review.recorded`, `material.published.direct`, `auth.login`…
    public var action: String
    /// What it was done to: `material:79-760-…`, `submission:12`, `user:3`.
    public var subject: String
    /// Further facts (reason, decision, changed fields…), kept in key order.
    public var details: [String: String]

    public init(actorID: Int64?, action: String, subject: String, details: [String: String] = [:]) {
        self.actorID = actorID
        self.action = action
        self.subject = subject
        self.details = details
    }
}

/// One event of the append-only audit log. Each event's ``hash`` covers its fields and the previous
/// event's hash, so editing or deleting any event breaks the chain from there on.
public struct AuditEvent: Codable, Sendable, Equatable {
    public var seq: Int64
    public var at: Date
    public var actorID: Int64?
    public var action: String
    public var subject: String
    public var details: [String: String]
    public var previousHash: String
    public var hash: String

    public init(seq: Int64, at: Date, actorID: Int64?, action: String, subject: String, details: [String: String], previousHash: String, hash: String) {
        self.seq = seq
        self.at = at
        self.actorID = actorID
        self.action = action
        self.subject = subject
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// An audit event exactly as stored (details as the stored text): what the chain is verified over.
public struct AuditRecord: Sendable, Equatable {
    public var seq: Int64
    public var atMilliseconds: Int64
    public var actorID: Int64?
    public var action: String
    public var subject: String
    public var details: String
    public var previousHash: String
    public var hash: String

    public init(seq: Int64, atMilliseconds: Int64, actorID: Int64?, action: String, subject: String, details: String, previousHash: String, hash: String) {
        self.seq = seq
        self.atMilliseconds = atMilliseconds
        self.actorID = actorID
        self.action = action
        self.subject = subject
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The hash the record should have.
    public var expectedHash: String {
        AuditChain.hash(seq: seq, atMilliseconds: atMilliseconds, actorID: actorID, action: action, subject: subject, details: details, previousHash: previousHash)
    }

    /// The record as an event for people (details parsed).
    public var event: AuditEvent {
        let parsed = (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:]
        return AuditEvent(
            seq: seq, at: Date(timeIntervalSince1970: Double(atMilliseconds) / 1000), actorID: actorID, action: action, subject: subject,
            details: parsed, previousHash: previousHash, hash: hash)
    }
}

/// The audit log's hash chain: how an event's hash is computed and how a sequence is verified.
public enum AuditChain {
    /// The hash before the first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// The details as stored and hashed: JSON with sorted keys.
    public static func canonicalDetails(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(details), as: UTF8.self)) ?? "{}"
    }

    /// SHA-256 (hex) over the event's fields, each length-prefixed, and the previous hash.
    public static func hash(seq: Int64, atMilliseconds: Int64, actorID: Int64?, action: String, subject: String, details: String, previousHash: String) -> String {
        var hasher = SHA256()
        for field in [String(seq), String(atMilliseconds), actorID.map(String.init) ?? "-", action, subject, details, previousHash] {
            let bytes = Array(field.utf8)
            hasher.update(data: Array(String(bytes.count).utf8) + [0x3A] + bytes)
        }
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in hasher.finalize() {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Checks events in order, page by page; keeps the last good hash between pages.
    public struct Verifier: Sendable {
        public private(set) var previousHash = AuditChain.genesis
        public private(set) var lastSeq: Int64 = 0
        public private(set) var checked = 0
        /// The first problem found (verification stops counting there).
        public private(set) var problem: String?

        public init() {}

        /// Feeds the next event, as stored.
        public mutating func check(_ e: AuditRecord) {
            guard problem == nil else { return }
            if e.seq != lastSeq + 1 {
                problem = "event \(lastSeq + 1)…\(e.seq - 1) missing (deleted)"
            } else if e.previousHash != previousHash {
                problem = "event \(e.seq): previous hash does not match event \(lastSeq)"
            } else if e.expectedHash != e.hash {
                problem = "event \(e.seq): contents do not match its hash (edited)"
            }
            guard problem == nil else { return }
            previousHash = e.hash
            lastSeq = e.seq
            checked += 1
        }

        /// Checks the end of the chain against the recorded head (the last event's number and hash).
        public mutating func finish(headSeq: Int64, headHash: String) {
            guard problem == nil else { return }
            if headSeq != lastSeq || (headSeq > 0 && headHash != previousHash) {
                problem = "the log ends at event \(lastSeq) but its head says \(headSeq) (events deleted at the end)"
            }
        }
    }
}
