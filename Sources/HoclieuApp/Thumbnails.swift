import Foundation
import NIOPosix

/// First-page images of PDFs, made with poppler's `pdftoppm` when it is installed (Debian
/// `poppler-utils`); without it there are simply no thumbnails.
///
/// The tool runs on NIO's thread pool with a time limit, on a private temporary folder; what it cannot
/// render (a broken or hostile PDF) yields no thumbnail, never a failed upload.
enum Thumbnails {
    static let tool: String? = ["/usr/bin/pdftoppm", "/usr/local/bin/pdftoppm"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// The longest side of a thumbnail, in pixels.
    static let size = 320
    static let timeLimit: TimeInterval = 15
    /// Address space allowed to the renderer (bytes).
    static let memoryLimit = 768 << 20
    /// util-linux `prlimit`, which sets resource limits on the renderer (present on Debian).
    static let limiter: String? = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A PNG of the first page of the PDF at `url`, or nil.
    static func pdfFirstPage(_ url: URL) async -> Data? {
        guard let tool else { return nil }
        return try? await NIOThreadPool.singleton.runIfActive { render(url, tool: tool) }
    }

    private static func render(_ url: URL, tool: String) -> Data? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-thumb-\(UUID().uuidString)")
        guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)) != nil else { return nil }
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        let arguments = ["-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", String(size), url.path, folder.appendingPathComponent("page").path]
        if let prlimit = limiter {
            // A hostile PDF gets bounded memory and CPU time, not just the wall-clock limit below.
            process.executableURL = URL(fileURLWithPath: prlimit)
            process.arguments = ["--as=\(memoryLimit)", "--cpu=\(Int(timeLimit))", "--fsize=\(64 << 20)", "--", tool] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        guard (try? process.run()) != nil else { return nil }
        if finished.wait(timeout: .now() + timeLimit) == .timedOut {
            process.terminate()
            finished.wait()
            return nil
        }
        guard process.terminationStatus == 0, let png = try? Data(contentsOf: folder.appendingPathComponent("page.png")),
            png.starts(with: [0x89, 0x50, 0x4E, 0x47])
        else { return nil }
        return png
    }
}
