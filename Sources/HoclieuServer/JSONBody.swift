import Foundation
import HTTPTypes
import HoclieuCore
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// A JSON request body that names the fields it accepts; any other field is refused.
protocol StrictJSONBody: Decodable, Sendable {
    static var fields: Set<String> { get }
}

extension Request {
    /// Collects at most `limit` bytes and decodes them strictly: valid UTF-8, a JSON object, known fields only.
    func decodeStrict<T: StrictJSONBody>(_ type: T.Type, limit: Int) async throws -> T {
        let buffer = try await body.collect(upTo: limit)
        let bytes = Data(buffer.readableBytesView)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Problem.badRequest("Nội dung không phải UTF-8 hợp lệ.", "The body is not valid UTF-8.")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] else {
            throw Problem.badRequest("Nội dung phải là một đối tượng JSON.", "The body must be a JSON object.")
        }
        let nulls = object.filter { $0.value is NSNull }.keys.sorted()
        guard nulls.isEmpty else {
            throw Problem(
                .badRequest, "null-field", vi: "Trường không được để null: \(nulls.joined(separator: ", ")) (hãy bỏ trường đi).",
                en: "Fields must not be null: \(nulls.joined(separator: ", ")) (omit them instead).")
        }
        let unknown = Set(object.keys).subtracting(T.fields).sorted()
        guard unknown.isEmpty else {
            throw Problem(
                .badRequest, "unknown-fields", vi: "Trường không được hỗ trợ: \(unknown.joined(separator: ", ")).",
                en: "Unknown fields: \(unknown.joined(separator: ", ")).", hint: "Allowed: \(T.fields.sorted().joined(separator: ", "))")
        }
        return try HoclieuJSON.decoder().decode(T.self, from: bytes)
    }
}

/// A JSON response from an encodable value or from JSON text already encoded.
struct JSONResponse: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [:]
    var body: ByteBuffer

    init(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], _ value: some Encodable) throws {
        self.status = status
        self.headers = headers
        body = ByteBuffer(bytes: try HoclieuJSON.encoder().encode(value))
    }

    init(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], json: String) {
        self.status = status
        self.headers = headers
        body = ByteBuffer(string: json)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
