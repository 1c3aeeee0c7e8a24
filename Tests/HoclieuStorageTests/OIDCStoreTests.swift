import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

@Suite("OpenID Connect store")
struct OIDCStoreTests {
    @Test("Logins are taken once and expire; e-mail addresses are unique without regard to case; provisioning links and audits in one go", arguments: StoreMakers.all)
    func loginsEmailsLinks(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let now = Date()
            try await store.saveOIDCLogin(state: "s1", login: StoredOIDCLogin(nonce: "n1", codeVerifier: "v1"), expiresAt: now.addingTimeInterval(600))
            try await store.saveOIDCLogin(state: "s2", login: StoredOIDCLogin(nonce: "n2", codeVerifier: "v2"), expiresAt: now.addingTimeInterval(-1))
            #expect(try await store.takeOIDCLogin(state: "s1", now: now) == StoredOIDCLogin(nonce: "n1", codeVerifier: "v1"))
            #expect(try await store.takeOIDCLogin(state: "s1", now: now) == nil)
            #expect(try await store.takeOIDCLogin(state: "s2", now: now) == nil)

            let lan = try await store.createUser(NewUser(username: "gv.lan", displayName: "Lan", roles: [.teacher], passwordHash: "x"))
            try await store.setUserEmail(userID: lan.id, email: "lan@truong.edu.vn")
            #expect(try await store.user(email: "LAN@Truong.edu.vn")?.id == lan.id)
            #expect(try await store.user(id: lan.id)?.email == "lan@truong.edu.vn")
            let binh = try await store.createUser(NewUser(username: "gv.binh", displayName: "Bình", roles: [.teacher], passwordHash: "x"))
            await #expect(throws: StoreError.self) { try await store.setUserEmail(userID: binh.id, email: "Lan@truong.edu.vn") }

            try await store.linkExternalIdentity(
                issuer: "https://accounts.google.com", subject: "123", userID: lan.id,
                audit: AuditDraft(actorID: lan.id, action: "user.identity.linked", subject: "user:\(lan.id)"))
            #expect(try await store.user(issuer: "https://accounts.google.com", subject: "123")?.id == lan.id)
            #expect(try await store.user(issuer: "https://login.microsoftonline.com/x/v2.0", subject: "123") == nil)

            // A provisioned account whose address is its username; a second person with the same local part and another
            // domain is another account; a taken address is refused and nothing is left behind.
            let hoa = try await store.createExternalUser(
                NewExternalUser(
                    user: NewUser(username: "hoa@truong.edu.vn", displayName: "Hoa", roles: [.teacher], school: "THCS A", passwordHash: "!oidc"),
                    email: "hoa@truong.edu.vn", issuer: "https://accounts.google.com", subject: "456"), auditDetails: ["method": "oidc"])
            #expect(hoa.email == "hoa@truong.edu.vn" && hoa.school == "THCS A")
            #expect(try await store.user(issuer: "https://accounts.google.com", subject: "456")?.id == hoa.id)
            await #expect(throws: StoreError.self) {
                _ = try await store.createExternalUser(
                    NewExternalUser(
                        user: NewUser(username: "hoa2", displayName: "Hoa", roles: [.teacher], passwordHash: "!oidc"), email: "HOA@truong.edu.vn",
                        issuer: "https://accounts.google.com", subject: "789"), auditDetails: [:])
            }
            #expect(try await store.user(issuer: "https://accounts.google.com", subject: "789") == nil)
            #expect(try await store.credentials(username: "hoa2") == nil)
            let created = try await store.auditEvents(AuditQuery(action: "user.created"))
            #expect(created.map(\.subject) == ["user:\(hoa.id)"])
            #expect(try await store.auditEvents(AuditQuery(action: "user.identity.linked")).count == 1)
        }
    }
}
