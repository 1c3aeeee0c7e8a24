import ConformanceCorpus
import Foundation

/// The `moodle-question/` folder of the shared conformance corpus.
enum Corpus {
    static var root: URL { ConformanceCorpus.root }

    /// A file of `moodle-question/`, which must exist.
    static func url(_ relativePath: String) throws -> URL { try ConformanceCorpus.url("moodle-question/" + relativePath) }

    static func data(_ relativePath: String) throws -> Data { try ConformanceCorpus.data("moodle-question/" + relativePath) }
}
