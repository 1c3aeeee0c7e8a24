import ConformanceCorpus
import Foundation

/// The `qti/` folder of the shared conformance corpus.
enum Corpus {
    static var root: URL { ConformanceCorpus.root }

    /// A file or folder of `qti/`, which must exist.
    static func url(_ relativePath: String) throws -> URL { try ConformanceCorpus.url("qti/" + relativePath) }

    /// The bytes of a file of `qti/`.
    static func data(_ relativePath: String) throws -> Data { try ConformanceCorpus.data("qti/" + relativePath) }
}
