import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

@Suite("LTI store")
struct LTIStoreTests {
    @Test("Logins are taken once and expire; nonces are recorded once; failed score posts are listed", arguments: StoreMakers.all)
    func loginsNoncesScores(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let platform = try await store.addLTIPlatform(
                LTIPlatform(
                    issuer: "https://lms.example", clientID: "c1", deploymentIDs: ["d1"], authURL: URL(string: "https://lms.example/auth")!,
                    tokenURL: URL(string: "https://lms.example/token")!, jwksURL: URL(string: "https://lms.example/jwks")!))
            await #expect(throws: StoreError.self) {
                _ = try await store.addLTIPlatform(
                    LTIPlatform(issuer: "https://lms.example", clientID: "c1", deploymentIDs: ["d2"], authURL: URL(string: "a")!, tokenURL: URL(string: "t")!,
                        jwksURL: URL(string: "j")!))
            }
            #expect(try await store.ltiPlatform(issuer: "https://lms.example", clientIDs: ["c1", "other"])?.id == platform.id)
            #expect(try await store.ltiPlatform(issuer: "https://lms.example", clientIDs: ["other"]) == nil)

            let now = Date()
            try await store.saveLTILogin(state: "s1", nonce: "n1", platformID: platform.id, expiresAt: now.addingTimeInterval(600))
            try await store.saveLTILogin(state: "s2", nonce: "n2", platformID: platform.id, expiresAt: now.addingTimeInterval(-1))
            #expect(try await store.takeLTILogin(state: "s1", now: now)?.nonce == "n1")
            #expect(try await store.takeLTILogin(state: "s1", now: now) == nil)
            #expect(try await store.takeLTILogin(state: "s2", now: now) == nil)

            #expect(try await store.consumeLTINonce("n1", expiresAt: now.addingTimeInterval(600), now: now))
            #expect(try await store.consumeLTINonce("n1", expiresAt: now.addingTimeInterval(600), now: now) == false)

            let id = try await store.recordLTIScore(platformID: platform.id, lineItem: "https://lms.example/li/1", userID: "u", pid: "P", scoreGiven: 1, scoreMaximum: 2)
            try await store.updateLTIScore(id: id, status: .failed, attempts: 4, lastError: "HTTP 500")
            let failed = try await store.ltiScores(failedOnly: true, limit: 10)
            #expect(failed.map(\.id) == [id])
            #expect(failed.first?.lastError == "HTTP 500" && failed.first?.attempts == 4)

            try await store.deleteLTIPlatform(id: platform.id)
            #expect(try await store.ltiPlatforms().isEmpty)
            #expect(try await store.ltiScores(failedOnly: false, limit: 10).isEmpty)
        }
    }
}
