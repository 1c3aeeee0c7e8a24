import Foundation
import HTTPTypes
import HoclieuServer
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite("OAI-PMH over HTTP: gzip")
struct OAIGzipTests {
    @Test("A harvester that accepts gzip gets each page gzipped, the same XML once unpacked by gzip itself; others get it as is")
    func gzipPages() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await OAIProviderTests.fill(t, count: 60)
        try await t.application.test(.router) { client in
            let uri = "/oai?verb=ListRecords&metadataPrefix=lom"
            let (plain, plainHeaders) = try await client.execute(uri: uri, method: .get) { (Data(buffer: $0.body), $0.headers) }
            #expect(plainHeaders[.contentEncoding] == nil)
            let (gzipped, headers) = try await client.execute(uri: uri, method: .get, headers: [.acceptEncoding: "gzip, deflate"]) {
                (Data(buffer: $0.body), $0.headers)
            }
            #expect(headers[.contentEncoding] == "gzip")
            #expect(headers[.vary] == "Accept-Encoding")
            #expect(gzipped.count < plain.count / 3, "\(gzipped.count) of \(plain.count) bytes")
            let (unpacked, gunzipStatus) = try gunzipWithGzip(gzipped)
            #expect(gunzipStatus == 0)
            // The responseDate may differ by a second between the two requests: compare without it.
            func normalised(_ data: Data) -> String {
                String(decoding: data, as: UTF8.self).replacingOccurrences(of: #"<responseDate>[^<]*</responseDate>"#, with: "", options: .regularExpression)
                    .replacingOccurrences(of: #"<resumptionToken[^>]*>[^<]*</resumptionToken>"#, with: "", options: .regularExpression)
            }
            #expect(normalised(unpacked) == normalised(plain))
            let refused = try await client.execute(uri: uri, method: .get, headers: [.acceptEncoding: "gzip;q=0"]) { $0.headers }
            #expect(refused[.contentEncoding] == nil)
        }
    }
}
