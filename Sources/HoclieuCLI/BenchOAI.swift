import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuCore
import HoclieuServer
import HoclieuStorage
import Hummingbird
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `hoclieu bench oai --records N`: fills a fresh data folder with N published public materials, starts the service on
/// loopback in this process and harvests everything with `ListRecords` (oai_dc) through resumption tokens over HTTP,
/// one page after the other, as a harvester does. Reports records/s and the p95 page time of the first and the last
/// 1% of pages (keyset paging: the ratio should stay near 1).
struct BenchOAI: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "oai", abstract: "OAI-PMH ListRecords harvest benchmark.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Materials to generate.") var records = 100_000
    @Option(help: "Records per page.") var pageSize = 200
    @Option(help: "Metadata format: oai_dc or lom.") var prefix = "oai_dc"
    @Flag(help: "Reuse the bench database in --data instead of regenerating.") var reuse = false

    struct Report: Encodable, CustomStringConvertible {
        var records: Int
        var harvested: Int
        var pages: Int
        var pageSize: Int
        var seconds: Double
        var recordsPerSecond: Double
        var firstPercentP95ms: Double
        var lastPercentP95ms: Double
        var depthRatio: Double
        var bytes: Int64

        var description: String {
            """
            records              \(records) (harvested \(harvested) in \(pages) pages of \(pageSize))
            harvest              \(String(format: "%.1f", seconds)) s, \(Int(recordsPerSecond)) records/s, \(humanBytes(bytes))
            page p95 first 1%    \(String(format: "%.1f", firstPercentP95ms)) ms
            page p95 last 1%     \(String(format: "%.1f", lastPercentP95ms)) ms (ratio \(String(format: "%.2f", depthRatio)))
            """
        }
    }

    func execute() async throws -> Report {
        var configuration = try common.configuration()
        if !reuse { try? FileManager.default.removeItem(at: configuration.dataDirectory) }
        configuration.oaiPageSize = pageSize
        configuration.port = Int.random(in: 30_000...60_000)
        configuration.runsJobs = false
        let repository = try Services.open(configuration)
        let existing = try await repository.store.statistics().materials
        if !reuse || existing != records {
            let owner = try await repository.store.createUser(
                NewUser(username: "bench.oai.\(UInt32.random(in: 0...UInt32.max))", displayName: "bench", roles: [.teacher], passwordHash: "-"))
            var made = 0
            while made < records {
                let n = min(10_000, records - made)
                let drafts = (made..<made + n).map { i in
                    MaterialDraft(
                        kind: MaterialKind.allCases[i % MaterialKind.allCases.count], format: "text/html",
                        metadata: MaterialMetadata(
                            title: "Học liệu số \(i): phân số và đường tròn", description: "Bài \(i) cho lớp \(i % 12 + 1), môn Toán.",
                            subjects: ["TOAN"], grades: [i % 12 + 1], knowledgeUnits: ["TOAN.\(i % 12 + 1).SD.\(i % 5)"], keywords: ["phân số"],
                            licence: "CC-BY-4.0", authors: ["Tác giả \(i % 97)"]),
                        visibility: .public, status: .published, createdAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(i)))
                }
                made += try await repository.store.createMaterials(drafts, ownerID: owner.id)
            }
        }
        var logger = Logger(label: "bench-oai")
        logger.logLevel = .error
        let app = buildApplication(repository, logger: logger)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let base = "http://127.0.0.1:\(configuration.port)/oai"
        for _ in 0..<200 {
            if (try? await Self.get(base + "?verb=Identify")) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        var times: [Double] = []
        var harvested = 0
        var bytes: Int64 = 0
        var url = base + "?verb=ListRecords&metadataPrefix=\(prefix)"
        let clock = ContinuousClock()
        let start = clock.now
        while true {
            let pageStart = clock.now
            let body = try await Self.get(url)
            let elapsed = clock.now - pageStart
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            bytes += Int64(body.count)
            let text = String(decoding: body, as: UTF8.self)
            harvested += text.components(separatedBy: "<header").count - 1
            guard let token = Self.token(text) else { break }
            url = base + "?verb=ListRecords&resumptionToken=\(token)"
        }
        let total = clock.now - start
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        let slice = max(1, times.count / 100)
        let first = Self.p95(Array(times.prefix(slice)))
        let last = Self.p95(Array(times.suffix(slice)))
        return Report(
            records: records, harvested: harvested, pages: times.count, pageSize: pageSize, seconds: seconds,
            recordsPerSecond: Double(harvested) / max(seconds, 1e-9), firstPercentP95ms: first, lastPercentP95ms: last,
            depthRatio: first > 0 ? last / first : 0, bytes: bytes)
    }

    static func p95(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
    }

    /// The text of a non-empty `<resumptionToken …>…</resumptionToken>`.
    static func token(_ text: String) -> String? {
        guard let open = text.range(of: "<resumptionToken"), let end = text.range(of: ">", range: open.upperBound..<text.endIndex),
            let close = text.range(of: "</resumptionToken>", range: end.upperBound..<text.endIndex)
        else { return nil }
        let token = String(text[end.upperBound..<close.lowerBound])
        return token.isEmpty ? nil : token
    }

    static func get(_ url: String) async throws -> Data {
        guard let address = URL(string: url) else { throw ValidationError("bad URL \(url)") }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: address) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                guard let data, (response as? HTTPURLResponse)?.statusCode == 200 else {
                    return continuation.resume(throwing: ValidationError("HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0) for \(url)"))
                }
                continuation.resume(returning: data)
            }.resume()
        }
    }
}
