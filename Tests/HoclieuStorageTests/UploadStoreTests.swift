import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

@Suite("Store: resumable upload state")
struct UploadStoreTests {
    @Test("The offset moves by compare-and-set; finishing is recorded once; expired uploads are found and deleted", arguments: StoreMakers.all)
    func uploads(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await store.createUser(NewUser(username: "gv.an", displayName: "gv.an", roles: [.teacher], passwordHash: "x"))
            let material = try await store.createMaterial(
                MaterialDraft(kind: .document, format: "text/plain", metadata: MaterialMetadata(title: "Tệp")), ownerID: user.id, firstVersion: nil)
            let now = Date()
            let id = String(repeating: "ab", count: 16)
            let session = UploadSession(
                id: id, ownerID: user.id, fileName: "lớn.bin", mediaType: "application/octet-stream", totalBytes: 5_000_000_000, pid: material.pid,
                note: "ghi chú", createdAt: now, updatedAt: now, expiresAt: now.addingTimeInterval(3600))
            try await store.createUpload(session)
            let read = try #require(try await store.upload(id: id))
            #expect(read.fileName == "lớn.bin" && read.totalBytes == 5_000_000_000 && read.receivedBytes == 0 && read.pid == material.pid)
            #expect(read.note == "ghi chú" && read.resultVersion == nil && abs(read.expiresAt.timeIntervalSince(session.expiresAt)) < 0.002)
            // Given two requests that both read offset 0, only the first moves it.
            #expect(try await store.advanceUpload(id: id, from: 0, to: 4_000_000_000, expiresAt: now.addingTimeInterval(7200)))
            #expect(try await store.advanceUpload(id: id, from: 0, to: 4_000_000_000, expiresAt: now.addingTimeInterval(7200)) == false)
            #expect(try await store.upload(id: id)?.receivedBytes == 4_000_000_000)
            // Not past the total, never finished before complete.
            await #expect(throws: (any Error).self) { _ = try await store.advanceUpload(id: id, from: 4_000_000_000, to: 6_000_000_000, expiresAt: now) }
            #expect(try await store.finishUpload(id: id, pid: material.pid, version: 1, expiresAt: now) == false)
            #expect(try await store.advanceUpload(id: id, from: 4_000_000_000, to: 5_000_000_000, expiresAt: now.addingTimeInterval(7200)))
            #expect(try await store.finishUpload(id: id, pid: material.pid, version: 1, expiresAt: now.addingTimeInterval(60)))
            #expect(try await store.finishUpload(id: id, pid: material.pid, version: 2, expiresAt: now.addingTimeInterval(60)) == false)
            #expect(try await store.upload(id: id)?.resultVersion == 1)
            #expect(try await store.advanceUpload(id: id, from: 5_000_000_000, to: 5_000_000_000, expiresAt: now) == false, "finished: frozen")
            // Expiry.
            #expect(try await store.expiredUploads(now: now, limit: 10).isEmpty)
            #expect(try await store.expiredUploads(now: now.addingTimeInterval(120), limit: 10) == [id])
            try await store.deleteUpload(id: id)
            #expect(try await store.upload(id: id) == nil)
            #expect(try await store.expiredUploads(now: now.addingTimeInterval(120), limit: 10).isEmpty)
        }
    }
}
