import ContentPackages
import Foundation
public import HoclieuCore
import HoclieuStorage
import NIOPosix

extension Services {
    /// Words too common to say anything about a match.
    static let stopwords: Set<String> = [
        "va", "cua", "cac", "nhung", "mot", "la", "co", "trong", "cho", "de", "voi", "duoc", "khong", "nay", "do", "khi", "the",
        "tren", "den", "tu", "theo", "ve", "nhu", "o", "bai", "hoc", "sinh", "hs", "gv",
    ]

    /// Content words of a text, folded.
    static func contentWords(_ text: String) -> Set<String> {
        Set(MinHash.words(text).filter { $0.count >= 2 && !stopwords.contains($0) })
    }

    /// Runs the pre-review of every open submission that has none yet (the background job); returns how many ran.
    @discardableResult
    public func runPendingPreReviews(limit: Int = 20) async throws -> Int {
        let ids = try await store.submissionsAwaitingPreReview(limit: limit)
        for id in ids { try await store.savePreReview(submissionID: id, try await preReview(of: id)) }
        return ids.count
    }

    /// What a machine can check before a reviewer opens the submission: exact duplicates (same file), near
    /// duplicates (MinHash of the text's 3-word shingles against the closest published materials), package
    /// warnings and missing metadata, and the fit of the text to the tagged and to the best-matching units.
    /// Bounded: at most 40 candidate materials and the first 20,000 words of each text are compared.
    public func preReview(of submissionID: Int64) async throws -> PreReview {
        let start = ContinuousClock.now
        guard let s = try await store.submission(id: submissionID), let material = try await store.material(s.pid) else {
            throw StoreError.notFound("hồ sơ / submission \(submissionID)")
        }
        let metadata = s.proposedMetadata ?? material.metadata
        let version = s.version > 0 ? try await store.version(s.pid, number: s.version) : nil
        let text = try await store.extractedTexts([s.pid])[s.pid] ?? metadata.title
        let signature = MinHash(text: text)

        // Duplicates: the same file, then the texts of the closest published materials.
        var duplicates: [PreReview.Duplicate] = []
        var exact = Set<PersistentIdentifier>()
        if let version {
            for pid in try await store.publishedMaterials(withContentID: version.contentID) where pid != s.pid { exact.insert(pid) }
        }
        var candidates = exact
        let distinctive = MinHash.words(text).filter { $0.count >= 4 && !Self.stopwords.contains($0) }
        var frequency: [String: Int] = [:]
        for word in distinctive.prefix(5000) { frequency[word, default: 0] += 1 }
        let topWords = frequency.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.prefix(3).map(\.key)
        for query in [metadata.title, topWords.joined(separator: " ")] where !query.isEmpty {
            let page = try await store.search(
                SearchRequest(text: query, filters: SearchFilters([.status: ["published"]]), viewer: .localOperator, limit: 20))
            candidates.formUnion(page.pids.filter { $0 != s.pid })
        }
        let texts = try await store.extractedTexts(Array(candidates.prefix(40)))
        for (pid, other) in texts {
            let otherSignature = MinHash(text: other)
            let similarity = signature.similarity(otherSignature)
            guard exact.contains(pid) || similarity >= 0.3 else { continue }
            let title = try await store.material(pid)?.metadata.title ?? ""
            duplicates.append(
                .init(
                    pid: pid.rawValue, title: title, exact: exact.contains(pid), similarity: (similarity * 100).rounded() / 100,
                    overlap: Array(signature.shingles.intersection(otherSignature.shingles).sorted().prefix(5))))
        }
        duplicates.sort { ($0.exact ? 2 : $0.similarity) > ($1.exact ? 2 : $1.similarity) }
        duplicates = Array(duplicates.prefix(5))

        // Technical and metadata findings.
        var findings: [PreReview.Finding] = []
        for warning in version?.package?.warnings ?? [] {
            findings.append(.init(code: "package", vi: "Gói học liệu: \(warning)", en: "Package: \(warning)"))
        }
        if material.kind != .link, version == nil {
            findings.append(.init(code: "no-file", vi: "Chưa có tệp.", en: "No file."))
        }
        if metadata.licence == nil {
            findings.append(.init(code: "licence-missing", vi: "Chưa khai báo giấy phép.", en: "No licence declared."))
        }
        var packageScan: PreReview.PackageScan?
        if let version, version.package != nil {
            do {
                let (scan, packageFindings) = try await checkPackage(version, declaredLicence: metadata.licence)
                packageScan = scan
                findings += packageFindings
            } catch {
                findings.append(
                    .init(code: "package-unreadable", vi: "Không đọc được gói: \(error)", en: "The package could not be read: \(error)"))
            }
        }
        if metadata.subjects.isEmpty || metadata.grades.isEmpty {
            findings.append(.init(code: "metadata", vi: "Thiếu môn học hoặc lớp.", en: "Subject or grade missing."))
        }
        if metadata.knowledgeUnits.isEmpty {
            findings.append(.init(code: "no-units", vi: "Chưa gắn yêu cầu cần đạt.", en: "No learning outcome tagged."))
        }
        if let exactly = duplicates.first(where: { $0.exact }) {
            findings.append(.init(code: "duplicate", vi: "Trùng tệp với \(exactly.pid).", en: "Same file as \(exactly.pid)."))
        } else if let near = duplicates.first(where: { $0.similarity >= PreReview.nearDuplicate }) {
            findings.append(
                .init(
                    code: "near-duplicate", vi: "Gần trùng với \(near.pid) (\(Int(near.similarity * 100))%).",
                    en: "Near-duplicate of \(near.pid) (\(Int(near.similarity * 100))%)."))
        }

        // Curriculum fit: the share of each statement's content words found in the material.
        let words = Self.contentWords(text + " " + metadata.description)
        func fit(_ item: CatalogItem) -> PreReview.UnitFit {
            let statement = Self.contentWords(item.statement)
            let overlap = statement.isEmpty ? 0 : Double(statement.intersection(words).count) / Double(statement.count)
            return .init(code: item.code, statement: item.statement, overlap: (overlap * 100).rounded() / 100)
        }
        var tagged: [PreReview.UnitFit] = []
        for code in metadata.knowledgeUnits {
            if let item = try await store.catalogItem(code: code) {
                tagged.append(fit(item.item))
            } else {
                findings.append(.init(code: "unknown-unit", vi: "Mã \(code) không có trong danh mục.", en: "\(code) is not in the catalogue."))
            }
        }
        var suggested: [PreReview.UnitFit] = []
        for subject in metadata.subjects.prefix(3) {
            for stored in try await store.catalogItems(framework: subject)
            where stored.item.type == .outcome && (metadata.grades.isEmpty || metadata.grades.contains(stored.item.grade)) {
                let f = fit(stored.item)
                if f.overlap > 0 { suggested.append(f) }
            }
        }
        suggested = Array(suggested.sorted { $0.overlap == $1.overlap ? $0.code < $1.code : $0.overlap > $1.overlap }.prefix(5))
        if !tagged.isEmpty, let best = suggested.first, tagged.allSatisfy({ $0.overlap + 0.3 < best.overlap }) {
            findings.append(
                .init(
                    code: "curriculum-fit", vi: "Nội dung gần với \(best.code) hơn các yêu cầu cần đạt đã gắn.",
                    en: "The content is closer to \(best.code) than to the tagged outcomes."))
        }
        let elapsed = ContinuousClock.now - start
        return PreReview(
            duplicates: duplicates, findings: findings, tagged: tagged, suggested: suggested, packageScan: packageScan, computedAt: Date(),
            milliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
    }

    /// The checks that read inside a package (off the event loop, bounded by ``PackageContentChecks/Limits``):
    /// references to missing files, resources from other sites, images without `alt`, videos without
    /// captions, an empty launch file, and a package licence that the declared one would break.
    func checkPackage(_ version: MaterialVersion, declaredLicence: String?) async throws -> (PreReview.PackageScan, [PreReview.Finding]) {
        let url = blobs.url(for: version.contentID)
        let launch = version.package?.launch
        let start = ContinuousClock.now
        let (report, packageLicence) = try await NIOThreadPool.singleton.runIfActive { () throws -> (PackageContentChecks.Report, String?) in
            let archive = try SafeArchive(url: url)
            let licence = (try? PackageInspector.inspect(archive))?.licence
            return (PackageContentChecks.check(archive, launch: launch), licence)
        }
        var findings: [PreReview.Finding] = []
        func examples(_ code: PackageContentChecks.Code) -> String {
            (report.examples[code.rawValue] ?? []).map { "\($0.file): \($0.detail)" }.joined(separator: "; ")
        }
        let texts: [(PackageContentChecks.Code, String, String)] = [
            (.emptyLaunch, "Tệp khởi chạy rỗng", "The launch file is empty"),
            (.missingFile, "liên kết tới tệp không có trong gói", "references to files missing from the package"),
            (.outsideResource, "tài nguyên tải từ trang ngoài (không chạy ngoại tuyến)", "resources loaded from other sites (will not play offline)"),
            (.outsideLink, "liên kết ra trang ngoài", "links to other sites"),
            (.imageWithoutAlt, "ảnh thiếu văn bản thay thế (alt)", "images without alt text"),
            (.videoWithoutCaptions, "video không có phụ đề (track captions)", "videos without captions"),
        ]
        for (code, vi, en) in texts where report.count(code) > 0 {
            let n = report.count(code)
            findings.append(.init(code: code.rawValue, vi: "\(n) \(vi): \(examples(code))", en: "\(n) \(en): \(examples(code))"))
        }
        if report.pagesSkipped > 0 {
            findings.append(
                .init(
                    code: "scan-partial", vi: "Chỉ kiểm tra \(report.pagesScanned) trang; bỏ qua \(report.pagesSkipped) trang (quá lớn hoặc quá nhiều).",
                    en: "Checked \(report.pagesScanned) pages; \(report.pagesSkipped) left unread (too large or too many)."))
        }
        if let packageLicence, let declaredLicence, !LicenceTerms(packageLicence).permits(LicenceTerms(declaredLicence)) {
            findings.append(
                .init(
                    code: "licence-incompatible", vi: "Gói ghi giấy phép \"\(packageLicence)\", không cho phép phát hành theo \"\(declaredLicence)\".",
                    en: "The package declares \"\(packageLicence)\", which does not allow release under \"\(declaredLicence)\"."))
        }
        let elapsed = ContinuousClock.now - start
        let scan = PreReview.PackageScan(
            pagesScanned: report.pagesScanned, pagesSkipped: report.pagesSkipped, bytesScanned: report.bytesScanned,
            milliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
        return (scan, findings)
    }
}
