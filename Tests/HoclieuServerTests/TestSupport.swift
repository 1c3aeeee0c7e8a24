import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuServer
@testable import HoclieuApp
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Testing

/// A repository in a fresh temporary folder with a known admin, torn down by `cleanup()`.
struct TestRepository {
    static let adminPassword = "admin-test-pw"
    let repository: Services
    let folder: URL

    init(
        maxUploadBytes: Int64 = 1 << 20, runsJobs: Bool = true, publicBaseURL: String? = nil, reviewRules: ReviewRules = ReviewRules(),
        autoAssign: Bool = true, publicDirectory: URL? = nil, oidc: OIDCSettings? = nil, clientRate: (perSecond: Double, burst: Double)? = nil
    ) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-server-\(UUID().uuidString)")
        var configuration = ServerConfiguration(dataDirectory: folder, port: 0, pidPrefix: "79-760", maxUploadBytes: maxUploadBytes, bcryptCost: 4)
        configuration.runsJobs = runsJobs
        configuration.reviewRules = reviewRules
        configuration.autoAssignReviewers = autoAssign
        configuration.oidc = oidc
        if let publicBaseURL { configuration.publicBaseURL = publicBaseURL }
        configuration.publicDirectory = publicDirectory
        if let clientRate { configuration.clientRate = clientRate }
        repository = try Services.open(configuration)
        _ = try await repository.bootstrapAdmin(password: Self.adminPassword)
    }

    func cleanup() { try? FileManager.default.removeItem(at: folder) }

    var application: some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return buildApplication(repository, logger: logger)
    }

    /// The content origin's application (package playback only), on its own router.
    var contentApplication: some ApplicationProtocol {
        var logger = Logger(label: "test-content")
        logger.logLevel = .warning
        return ContentOrigin.buildApplication(repository, port: 0, logger: logger)
    }

    /// Adds a user directly in the store.
    func addUser(_ name: String, roles: Set<Role>, school: String? = nil) async throws {
        _ = try await repository.store.createUser(
            NewUser(username: name, displayName: name, roles: roles, school: school, passwordHash: try await PasswordHasher(cost: 4).hash("password-\(name)")))
    }

    /// Files in the blob store (for "nothing left behind" checks).
    var blobCount: Int { repository.blobs.allBlobs().count }
}

extension TestClientProtocol {
    /// Signs in and returns the bearer token.
    func login(_ username: String, _ password: String) async throws -> String {
        try await execute(
            uri: "/api/v1/auth/login", method: .post, body: ByteBuffer(string: #"{"username":"\#(username)","password":"\#(password)"}"#)
        ) { response in
            #expect(response.status == .ok)
            let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            return try #require(object?["token"] as? String)
        }
    }

    /// Sends JSON and returns status and parsed body.
    @discardableResult
    func json(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields) {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            return (response.status, object, response.headers)
        }
    }

    /// Creates a material and returns its PID.
    func createMaterial(token: String, _ body: String) async throws -> String {
        let (status, json, _) = try await self.json(.post, "/api/v1/materials", token: token, body: body)
        #expect(status == .created, "\(json)")
        return try #require(json["pid"] as? String)
    }
}

/// Decompresses with gzip itself (not our own code): the bytes and gzip's exit status.
func gunzipWithGzip(_ data: Data) throws -> (data: Data, status: Int32) {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString).gz")
    defer { try? FileManager.default.removeItem(at: file) }
    try data.write(to: file)
    let gunzip = Process()
    gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gunzip.arguments = ["-dc", file.path]
    let pipe = Pipe()
    gunzip.standardOutput = pipe
    try gunzip.run()
    let unpacked = pipe.fileHandleForReading.readDataToEndOfFile()
    gunzip.waitUntilExit()
    return (unpacked, gunzip.terminationStatus)
}
