import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

@Suite("Blob store")
struct BlobStoreTests {
    func makeBlobs() throws -> (BlobStore, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-blobs-\(UUID().uuidString)")
        return (try BlobStore(root: dir), dir)
    }

    @Test("Streams in, names by SHA-256, verifies")
    func writeAndVerify() throws {
        let (blobs, dir) = try makeBlobs()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try blobs.makeWriter()
        let chunk = Data(repeating: 0x61, count: 1000)
        for _ in 0..<5 { try chunk.withUnsafeBytes { try writer.write($0) } }
        let stored = try writer.commit()
        #expect(stored.byteSize == 5000)
        #expect(stored.contentID == ContentID.of(bytes: Data(repeating: 0x61, count: 5000)))
        #expect(try blobs.verify(stored.contentID) == true)
        #expect(blobs.allBlobs() == [stored.contentID])
        // Tampering is detected.
        try Data("x".utf8).write(to: blobs.url(for: stored.contentID))
        #expect(try blobs.verify(stored.contentID) == false)
    }

    @Test("A file written in the store's temporary folder is adopted by renaming, not copying")
    func adopt() throws {
        let (blobs, dir) = try makeBlobs()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = Data((0..<3_000_000).map { UInt8($0 % 251) })
        let file = blobs.temporaryFileURL(suffix: ".imscc")
        try bytes.write(to: file)
        let stored = try blobs.adopt(fileAt: file)
        #expect(stored.contentID == ContentID.of(bytes: bytes))
        #expect(stored.byteSize == 3_000_000 && stored.isNew)
        #expect(!FileManager.default.fileExists(atPath: file.path), "moved, not copied")
        #expect(try blobs.verify(stored.contentID) == true)
        // Only files of the store's own temporary folder.
        let outside = dir.appendingPathComponent("elsewhere.bin")
        try bytes.write(to: outside)
        #expect(throws: BlobError.self) { try blobs.adopt(fileAt: outside) }
    }

    @Test("Over the limit: error and nothing left behind")
    func limit() throws {
        let (blobs, dir) = try makeBlobs()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try blobs.makeWriter(limit: 10)
        #expect(throws: BlobError.tooLarge(limit: 10)) {
            try Data(repeating: 1, count: 11).withUnsafeBytes { try writer.write($0) }
        }
        #expect(blobs.allBlobs().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tmp").path).isEmpty)
    }

    @Test("An abandoned writer leaves no temporary file; a restart clears crash leftovers")
    func abandoned() throws {
        let (blobs, dir) = try makeBlobs()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let writer = try blobs.makeWriter()
            try Data([1, 2, 3]).withUnsafeBytes { try writer.write($0) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tmp").path).isEmpty)
        try Data([9]).write(to: dir.appendingPathComponent("tmp/leftover"))
        _ = try BlobStore(root: dir)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tmp").path).isEmpty)
    }
}
