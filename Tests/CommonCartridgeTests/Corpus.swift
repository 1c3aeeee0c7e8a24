import ConformanceCorpus
import Foundation

/// The `cc/` folder of the shared conformance corpus.
enum Corpus {
    static var root: URL { ConformanceCorpus.root }

    /// A file of `cc/`, which must exist.
    static func url(_ relativePath: String) throws -> URL { try ConformanceCorpus.url("cc/" + relativePath) }

    /// Every archive under `cc/`, relative to it, sorted.
    static var cartridges: [String] { ConformanceCorpus.files(under: "cc", extensions: ["imscc", "zip"]) }
}
