import ContentPackages
import Foundation
import Testing

@Suite("Streaming stored ZIP writer: same bytes as the in-memory writer, ZIP64, read back")
struct StreamingZipWriterTests {
    /// A private directory, removed by the caller.
    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("streamzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func noise(_ count: Int, seed: UInt32 = 7) -> Data {
        var state = seed
        return Data((0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        })
    }

    @Test("Equal to StoredZipWriter's bytes for the same entries, whatever the source")
    func sameBytesAsInMemory() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = noise(3 << 20)  // larger than the 1 MB buffers
        let small = Data("xin chào".utf8)
        let file = dir.appendingPathComponent("big.bin")
        try big.write(to: file)
        let out = dir.appendingPathComponent("out.zip")
        let zip = try StreamingZipWriter(url: out)
        try zip.add(path: "a/nhỏ.txt", data: small)
        try zip.add(path: "b/big.bin", contentsOf: file)
        try zip.add(path: "c/chunks.bin", size: UInt64(big.count)) { write in
            var offset = 0
            while offset < big.count {
                let n = min(70_001, big.count - offset)
                try write(big.subdata(in: offset..<offset + n))
                offset += n
            }
        }
        try zip.add(path: "d/empty", data: Data())
        let size = try zip.finish()
        let written = try Data(contentsOf: out)
        #expect(UInt64(written.count) == size)
        let expected = StoredZipWriter.archive([("a/nhỏ.txt", small), ("b/big.bin", big), ("c/chunks.bin", big), ("d/empty", Data())])
        #expect(written == expected)

        let archive = try SafeArchive(url: out)
        #expect(archive.paths == ["a/nhỏ.txt", "b/big.bin", "c/chunks.bin", "d/empty"])
        #expect(try archive.data("b/big.bin", limit: 8 << 20) == big)
        try archive.verify()
    }

    @Test("Refuses duplicate and unsafe paths, and a producer that lies about its size")
    func refusals() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = try StreamingZipWriter(url: dir.appendingPathComponent("x.zip"))
        try zip.add(path: "a.txt", data: Data("a".utf8))
        #expect(throws: ZipWriteError.duplicatePath("a.txt")) { try zip.add(path: "a.txt", data: Data()) }
        for bad in ["../x", "/etc/passwd", "a//b", "a\\b", ""] {
            #expect(throws: ZipWriteError.invalidPath(bad)) { try zip.add(path: bad, data: Data()) }
        }
        #expect(throws: ZipWriteError.sizeMismatch(path: "short", declared: 10, written: 3)) {
            try zip.add(path: "short", size: 10) { write in try write(Data("abc".utf8)) }
        }
        zip.abandon()
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.zip").path))
    }

    @Test("65,536 entries get ZIP64 end records; the index and unzip read them")
    func zip64Entries() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("many.zip")
        let zip = try StreamingZipWriter(url: out)
        let count = 65_536
        for i in 0..<count { try zip.add(path: "f/\(i).txt", data: Data("\(i)".utf8)) }
        try zip.finish()
        let archive = try SafeArchive(url: out, limits: ArchiveLimits(maxEntries: 100_000))
        #expect(archive.paths.count == count)
        #expect(try archive.data("f/65535.txt") == Data("65535".utf8))

        let unzip = Process()
        unzip.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        unzip.arguments = ["-tqq", out.path]
        try unzip.run()
        unzip.waitUntilExit()
        #expect(unzip.terminationStatus == 0)
    }
}
