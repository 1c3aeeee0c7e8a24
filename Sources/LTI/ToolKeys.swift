import Crypto
import CryptoExtras
public import Foundation
public import JWTKit
import Synchronization

/// One of this tool's RS256 signing keys, as stored.
public struct ToolKey: Codable, Sendable, Equatable {
    /// The key id published in the JWKS and put in every JWS header.
    public var kid: String
    /// The PKCS#8 PEM of the private key.
    public var privateKeyPEM: String
    public var createdAt: Date
    /// When a newer key replaced it; it stays published for the grace period after this.
    public var retiredAt: Date?

    public init(kid: String, privateKeyPEM: String, createdAt: Date, retiredAt: Date? = nil) {
        self.kid = kid
        self.privateKeyPEM = privateKeyPEM
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }

    /// A fresh 2048-bit RSA key; its id is derived from its public key.
    public static func generate(now: Date = Date()) throws -> ToolKey {
        let backing = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let digest = SHA256.hash(data: backing.publicKey.derRepresentation)
        let kid = Data(digest.prefix(12)).base64URLEncodedString()
        return ToolKey(kid: kid, privateKeyPEM: backing.pemRepresentation, createdAt: now)
    }
}

/// This tool's keys: the newest unretired key signs; it and every key retired less than
/// `grace` ago are published at `/lti/jwks`, so platforms holding a cached set keep verifying.
public struct ToolKeyRing: Sendable {
    public let active: ToolKey
    public let published: [ToolKey]
    /// One key collection per core: jwt-kit's collection is an actor, so one collection would sign one token at
    /// a time; with one each, concurrent requests sign in parallel (taken in turn).
    private let signers: [JWTKeyCollection]
    private let turn: Turn
    private let jwksData: Data

    final class Turn: Sendable {
        let next = Atomic<Int>(0)
        func take(_ count: Int) -> Int { next.add(1, ordering: .relaxed).oldValue % count }
    }

    /// - Throws: when no key is usable.
    public init(keys: [ToolKey], grace: TimeInterval = 7 * 24 * 3600, now: Date = Date()) async throws {
        guard let active = keys.filter({ $0.retiredAt == nil }).max(by: { $0.createdAt < $1.createdAt }) else {
            throw LTIError.keySetUnavailable("no active tool key")
        }
        self.active = active
        let published = keys.filter { k in k.retiredAt.map { now.timeIntervalSince($0) < grace } ?? (k.kid == active.kid) }
        self.published = published
        var signers: [JWTKeyCollection] = []
        for _ in 0..<max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64)) {
            // A key object of its own too: BoringSSL's RSA object serialises its blinding state behind a lock.
            let privateKey = try Insecure.RSA.PrivateKey(pem: active.privateKeyPEM)
            let collection = JWTKeyCollection()
            await collection.add(rsa: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: active.kid))
            signers.append(collection)
        }
        self.signers = signers
        self.turn = Turn()
        var jwks: [JWK] = []
        for key in published {
            let pub = try Insecure.RSA.PrivateKey(pem: key.privateKeyPEM).publicKey
            let (n, e) = try pub.getKeyPrimitives()
            jwks.append(
                .rsa(.rs256, identifier: JWKIdentifier(string: key.kid), modulus: n.base64URLEncodedString(), exponent: e.base64URLEncodedString()))
        }
        struct Published: Encodable {
            var keys: [PublicJWK]
        }
        struct PublicJWK: Encodable {
            var kty = "RSA"
            var alg = "RS256"
            var use = "sig"
            var kid: String
            var n: String
            var e: String
        }
        let doc = Published(keys: jwks.map { PublicJWK(kid: $0.keyIdentifier?.string ?? "", n: $0.modulus ?? "", e: $0.exponent ?? "") })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.jwksData = try encoder.encode(doc)
    }

    /// The public JWKS document (`application/json`).
    public var jwksJSON: Data { jwksData }

    /// Signs `payload` with the active key (RS256, `kid` in the header).
    public func sign(_ payload: some JWTPayload) async throws -> String {
        var header = JWTHeader()
        header.typ = "JWT"
        header.alg = "RS256"
        let signer = signers[turn.take(signers.count)]
        return try await signer.sign(payload, kid: JWKIdentifier(string: active.kid), header: header)
    }
}
