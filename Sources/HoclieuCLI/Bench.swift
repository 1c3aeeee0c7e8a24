import ArgumentParser
import Foundation
import ZIPFoundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage

/// `hoclieu bench …`: measured performance.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Đo hiệu năng / Benchmarks.", subcommands: [BenchSearch.self, BenchIngest.self, BenchQuestions.self, BenchCartridge.self, BenchReview.self, BenchLTI.self, BenchOAI.self])
}

/// `hoclieu bench search --materials N`: indexes a synthetic Vietnamese corpus and times a query mix.
///
/// Titles and descriptions are drawn from real Vietnamese syllables with a Zipf-like frequency
/// (rank r has weight 1/r), so the most common syllables (`số`, `và`, `bài`…) match a large part
/// of the corpus, as in real collections. Latency is measured in-process around `Store.search`
/// (server-side: query planning, FTS5, JSON assembly of the page), excluding HTTP. The mix: 1–3
/// syllables, half typed without marks, 0–2 facet filters (subject, grade), anonymous viewer,
/// page size 20, one query in four asking for facet counts.
struct BenchSearch: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search benchmark.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Materials to generate.") var materials = 100_000
    @Option(help: "Queries in the mix.") var queries = 1000
    @Option(help: "Random seed.") var seed: UInt64 = 2018
    @Flag(help: "Reuse an existing bench database in --data of the same size instead of regenerating.") var reuse = false
    @Option(help: "Write every query's latency to this file (tab-separated: ms, query).") var dump: String?

    struct Report: Encodable, CustomStringConvertible {
        var materials: Int
        var indexSeconds: Double
        var materialsPerSecond: Double
        var rawTextBytes: Int64
        var ftsIndexBytes: Int64
        var ftsToRawRatio: Double
        var databaseBytes: Int64
        var queries: Int
        var p50ms: Double
        var p95ms: Double
        var p99ms: Double
        var maxms: Double
        var commonTermP95ms: Double
        var meanHits: Double
        /// The slowest queries of the mix, for whoever tunes the next round.
        var slowest: [String]

        var description: String {
            """
            materials            \(materials)
            indexing             \(String(format: "%.1f", indexSeconds)) s, \(Int(materialsPerSecond)) materials/s
            raw text             \(humanBytes(rawTextBytes))
            FTS index            \(humanBytes(ftsIndexBytes)) (\(String(format: "%.2f", ftsToRawRatio))× raw text)
            database file        \(humanBytes(databaseBytes))
            queries              \(queries) (mean \(String(format: "%.1f", meanHits)) hits on page 1)
            latency p50/p95/p99  \(String(format: "%.2f / %.2f / %.2f", p50ms, p95ms, p99ms)) ms (max \(String(format: "%.2f", maxms)) ms)
            common-syllable p95  \(String(format: "%.2f", commonTermP95ms)) ms
            slowest              \(slowest.joined(separator: "\n                     "))
            """
        }
    }

    func execute() async throws -> Report {
        var rng = SplitMix64(seed: seed)
        let corpus = SyntheticCorpus()
        let dbURL = Services.databaseURL(in: common.dataURL)
        if !reuse { try? FileManager.default.removeItem(at: common.dataURL) }
        let repository = try common.openRepository()
        let store = repository.store
        let owner: Int64
        if let existing = try await store.credentials(username: "bench") {
            owner = existing.user.id
        } else {
            owner = try await store.createUser(NewUser(username: "bench", displayName: "Bench", roles: [.teacher], passwordHash: "-")).id
        }

        var rawBytes: Int64 = 0
        var seconds = 0.0
        let existing = try await store.statistics().materials
        if existing < materials {
            var indexing = Duration.zero
            var made = existing
            let base = Date(timeIntervalSince1970: 1_600_000_000)
            // Two batches in flight: one is prepared on the cores while the other is written.
            while made < materials {
                var batches: [[MaterialDraft]] = []
                for _ in 0..<2 where made < materials {
                    let n = min(5000, materials - made)
                    var drafts: [MaterialDraft] = []
                    drafts.reserveCapacity(n)
                    for i in 0..<n {
                        let draft = corpus.material(&rng, createdAt: base.addingTimeInterval(Double(made + i) * 60))
                        rawBytes += Int64(draft.metadata.title.utf8.count + draft.metadata.description.utf8.count)
                        drafts.append(draft)
                    }
                    made += n
                    batches.append(drafts)
                }
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for batch in batches { group.addTask { try await store.createMaterials(batch, ownerID: owner) } }
                    try await group.waitForAll()
                }
                indexing += ContinuousClock.now - start
            }
            let start = ContinuousClock.now
            try await store.optimizeSearchIndex()
            indexing += ContinuousClock.now - start
            seconds = indexing.seconds
        }

        // The query mix, from its own generator: the same queries whatever the corpus size.
        var queryRNG = SplitMix64(seed: seed &+ 1)
        var latencies: [Double] = []
        var timed: [(ms: Double, query: String)] = []
        var commonLatencies: [Double] = []
        var hits = 0
        for q in 0..<queries {
            let words = (0..<(1 + Int(queryRNG.next() % 3))).map { _ in corpus.querySyllable(&queryRNG) }
            var text = words.joined(separator: " ")
            if q % 2 == 1 { text = VietnameseText.fold(text) }
            var filters = SearchFilters()
            let facetCount = Int(queryRNG.next() % 3)
            if facetCount >= 1 { filters[.subject] = [corpus.subjects[Int(queryRNG.next() % UInt64(corpus.subjects.count))]] }
            if facetCount >= 2 { filters[.grade] = [String(1 + queryRNG.next() % 12)] }
            // Every fourth query is a first page that also asks for facet counts, as the web UI does.
            let request = SearchRequest(text: text, filters: filters, limit: 20, facets: q % 4 == 0 ? [.subject, .grade, .kind] : [])
            let start = ContinuousClock.now
            let page = try await store.search(request)
            let ms = (ContinuousClock.now - start).seconds * 1000
            latencies.append(ms)
            let facets = filters.values.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value.joined(separator: ","))" }
            timed.append((ms, "\(text) [\(facets.joined(separator: " "))] \(page.total)\(page.totalIsLowerBound ? "+" : "") hits"))
            if words.contains(where: { corpus.common.contains($0) }) { commonLatencies.append(ms) }
            hits += page.items.count
        }
        if let dump {
            try timed.map { String(format: "%.3f", $0.ms) + "\t" + $0.query }.joined(separator: "\n").write(toFile: dump, atomically: true, encoding: .utf8)
        }
        latencies.sort()
        commonLatencies.sort()
        func pct(_ values: [Double], _ p: Double) -> Double {
            values.isEmpty ? 0 : values[min(values.count - 1, Int((Double(values.count) * p).rounded(.up)) - 1)]
        }

        let sizes = try await store.searchIndexBytes()
        let dbBytes = ((try? FileManager.default.attributesOfItem(atPath: dbURL.path)[.size]) as? NSNumber)?.int64Value ?? 0
        let wal = ((try? FileManager.default.attributesOfItem(atPath: dbURL.path + "-wal")[.size]) as? NSNumber)?.int64Value ?? 0
        return Report(
            materials: materials, indexSeconds: seconds, materialsPerSecond: seconds > 0 ? Double(materials - existing) / seconds : 0,
            rawTextBytes: rawBytes, ftsIndexBytes: sizes, ftsToRawRatio: rawBytes > 0 ? Double(sizes) / Double(rawBytes) : 0,
            databaseBytes: dbBytes + wal, queries: queries, p50ms: pct(latencies, 0.5), p95ms: pct(latencies, 0.95),
            p99ms: pct(latencies, 0.99), maxms: latencies.last ?? 0, commonTermP95ms: pct(commonLatencies, 0.95),
            meanHits: Double(hits) / Double(max(queries, 1)),
            slowest: timed.sorted { $0.ms > $1.ms }.prefix(8).map { String(format: "%.1f ms  ", $0.ms) + $0.query })
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A small, fast, seeded generator so runs are repeatable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Bytes that do not compress (media in generated packages), from a seeded xorshift: the same files every run.
struct NoiseBytes {
    var state: UInt64 = 0x2018_2025

    mutating func next(_ count: Int) -> Data {
        var words = [UInt64](repeating: 0, count: count / 8 + 1)
        for w in words.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            words[w] = state
        }
        return words.withUnsafeBytes { Data($0.prefix(count)) }
    }
}

extension Archive {
    /// Adds a file entry from bytes in memory (generated benchmark packages).
    func addEntry(_ path: String, data: Data, compress: Bool) throws {
        try addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: compress ? .deflate : .none) {
            (position: Int64, size: Int) in data.subdata(in: Int(position)..<Int(position) + size)
        }
    }
}

/// Vietnamese-looking titles and descriptions with Zipf-distributed syllables.
struct SyntheticCorpus {
    /// Syllables in rough frequency order (most common first) for school materials.
    let syllables: [String]
    let cumulative: [Double]
    let common: Set<String>
    let subjects = ["TOAN", "NGUVAN", "TIENGANH", "VATLI", "HOAHOC", "SINHHOC", "LICHSU", "DIALI", "TINHOC", "CONGNGHE", "GDCD", "KHTN"]
    let kinds: [MaterialKind] = [.lesson, .simulation, .document, .video, .questionSet]
    let licences = ["CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0"]

    init() {
        let base = """
            số và bài của các trong học tập lớp có là một phép những cho với được toán hình tính đường
            phân thức bậc hai ba giải bài tập ôn chương phần kiểm tra đề thi tiếng việt văn bản đọc hiểu viết
            câu từ ngữ nghĩa nói nghe kể chuyện thơ truyện tác giả nhân vật lịch sử địa lí việt nam thế giới
            khoa học tự nhiên vật lí hóa sinh tế bào năng lượng điện từ trường lực chuyển động nhiệt ánh sáng
            âm thanh môi trường sức khỏe tin máy tính thuật toán chương trình dữ liệu mạng internet công nghệ
            kĩ thuật thiết kế vẽ sản phẩm trồng trọt chăn nuôi gia đình đạo đức pháp luật công dân giáo dục
            thể chất nghệ thuật âm nhạc mĩ thuật hoạt động trải nghiệm hướng nghiệp tròn thẳng góc tam giác
            vuông chữ nhật hình thoi bình hành thang diện tích chu vi thể tích khối lập phương cầu trụ nón
            tỉ lệ phần trăm số thập phân nguyên tự nhiên hữu tỉ vô tỉ thực căn hàm đồ thị phương trình hệ bất
            đẳng thống kê xác suất biểu đồ bảng dãy cấp cộng nhân trừ chia lũy thừa đạo tích phân giới hạn
            vectơ tọa độ mặt phẳng không gian đối xứng song vuông góc dương âm đương đường đồng dạng cạnh đỉnh
            trung điểm tuyến cao đoạn tia góc nhọn tù bẹt so sánh ước bội chung nhỏ nhất lớn nguyên tố hợp
            """
        var seen = Set<String>()
        syllables = base.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter { seen.insert($0).inserted }
        var total = 0.0
        cumulative = syllables.indices.map { i in
            total += 1.0 / Double(i + 1)
            return total
        }
        common = Set(syllables.prefix(8))
    }

    func syllable(_ rng: inout SplitMix64) -> String {
        let x = Double(rng.next() % 1_000_000) / 1_000_000 * cumulative.last!
        var lo = 0
        var hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return syllables[lo]
    }

    /// Query syllables: half from the Zipf head-heavy distribution, half uniform (the long tail).
    func querySyllable(_ rng: inout SplitMix64) -> String {
        rng.next() % 2 == 0 ? syllable(&rng) : syllables[Int(rng.next() % UInt64(syllables.count))]
    }

    func words(_ rng: inout SplitMix64, _ range: ClosedRange<Int>) -> String {
        let n = range.lowerBound + Int(rng.next() % UInt64(range.count))
        return (0..<n).map { _ in syllable(&rng) }.joined(separator: " ")
    }

    func material(_ rng: inout SplitMix64, createdAt: Date) -> MaterialDraft {
        var title = words(&rng, 4...10)
        title = title.prefix(1).uppercased() + title.dropFirst()
        let subject = subjects[Int(rng.next() % UInt64(subjects.count))]
        return MaterialDraft(
            kind: kinds[Int(rng.next() % UInt64(kinds.count))], format: "application/pdf",
            metadata: MaterialMetadata(
                title: title, description: words(&rng, 15...40), subjects: [subject], grades: [1 + Int(rng.next() % 12)],
                licence: licences[Int(rng.next() % UInt64(licences.count))]),
            visibility: rng.next() % 10 == 0 ? .sector : .public, status: rng.next() % 20 == 0 ? .draft : .published,
            createdAt: createdAt)
    }
}
