import ConformanceCorpus
import Foundation
import HoclieuCore
import QTI
import QuestionFormats
import Testing

/// Imports a corpus entry the way a user would hand it over: a folder or a zip as a package, a file
/// by detection. Partial, so that the counts of every outcome can be compared.
func importCorpusEntry(_ relativePath: String) throws -> QuestionImportResult {
    let url = try Corpus.url(relativePath)
    if relativePath.hasSuffix("/") || relativePath.hasSuffix(".zip") {
        return QTIFormats.importPackage(at: url, options: QuestionImportOptions(partial: true))
    }
    return QTIFormats.importQuestions(from: try Data(contentsOf: url), fileName: url.lastPathComponent, options: QuestionImportOptions(partial: true))
}

/// The outcome counts of a report in the notation of the expectation tables:
/// `singleChoice=2,essay=1,drop=1,skip=1,invalid=1`, sorted by key; file errors as `error:<code>`.
func outcomeSummary(_ report: QuestionImportReport) -> String {
    var counts: [String: Int] = [:]
    for entry in report.entries {
        switch entry.outcome {
        case .imported, .held: counts[entry.type!.rawValue, default: 0] += 1
        case .dropped: counts["drop", default: 0] += 1
        case .skipped: counts["skip", default: 0] += 1
        case .invalid: counts["invalid", default: 0] += 1
        }
    }
    for error in report.fileErrors { counts["error:\(error.code)", default: 0] += 1 }
    return counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
}

@Suite("QTI corpus: every file imports with the expected counts by type", .needsCorpus)
struct CorpusImportTests {
    @Test("QTI 1.2 files and packages", arguments: CorpusExpectations.qti12)
    func qti12(_ row: (path: String, expected: String)) throws {
        let result = try importCorpusEntry(row.path)
        #expect(outcomeSummary(result.report) == row.expected, "\(row.path)")
        // Every error and every drop says where and why, in both languages.
        for message in result.report.allErrors
            + result.report.entries.filter({ $0.outcome == .dropped || $0.outcome == .skipped }).flatMap(\.warnings)
        {
            #expect(!message.vietnamese.isEmpty && !message.english.isEmpty)
        }
        for entry in result.report.entries where entry.outcome == .invalid { #expect(!entry.errors.isEmpty && entry.location.path != nil) }
    }

    @Test("QTI 2.x items, tests and packages", arguments: CorpusExpectations.qti2)
    func qti2(_ row: (path: String, expected: String)) throws {
        let result = try importCorpusEntry(row.path)
        #expect(outcomeSummary(result.report) == row.expected, "\(row.path)")
        for entry in result.report.entries where entry.outcome == .invalid { #expect(!entry.errors.isEmpty) }
        for entry in result.report.entries where entry.outcome == .dropped {
            #expect(entry.warnings.contains { $0.code == "unsupportedInteraction" || $0.code == "compositeItem" })
        }
    }
}
