import ContentPackages
import Crypto
import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Sandboxed playback of stored versions: package entries straight from the stored archive (never
/// extracted), the SCORM player, H5P/GeoGebra summaries and plain files with byte ranges.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /preview/{ref} | `{pid}@v{n}` of a material anyone may see, or a signed reference |
/// | GET | /preview/{ref}/{path…} | the same |
/// | POST | /api/v1/materials/{pid}/versions/{n}/preview | anyone who may see the material: a preview address |
///
/// Every response carries `Content-Security-Policy: sandbox allow-scripts allow-forms`: content runs in an
/// opaque origin, never with the repository's privileges. Cookies are neither read nor set, and the
/// bearer token is not used either (a frame cannot send one): what an anonymous visitor may not see is
/// previewed through a signed, expiring reference `{pid}@v{n}~{expires}~{signature}` that the API hands
/// to those who may see it.
struct PreviewController {
    let repository: Services
    let packages: PreviewPackages

    static let sandbox = "sandbox allow-scripts allow-forms"
    /// How long a signed preview reference stays valid.
    static let signedLifetime: TimeInterval = 4 * 3600

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/preview/{ref}", use: root)
        router.get("/preview/{ref}/**", use: entry)
        router.post("/api/v1/materials/{pid}/versions/{n}/preview", use: issue)
    }

    // MARK: References

    struct Target: Sendable {
        let material: Material
        let version: MaterialVersion
        let signed: Bool
        let reference: String
    }

    static func signature(_ payload: String, key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)
        return Data(mac).prefix(16).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A signed reference to a version, valid until `expires`.
    static func signedReference(_ pid: PersistentIdentifier, version: Int, expires: Date, key: SymmetricKey) -> String {
        let payload = "\(pid.rawValue)@v\(version)~\(Int(expires.timeIntervalSince1970))"
        return "\(payload)~\(signature(payload, key: key))"
    }

    func target(_ context: AppRequestContext) async throws -> Target {
        let reference = try context.parameters.require("ref")
        if let cached = packages.resolved(reference) { return cached }
        let parts = reference.split(separator: "~", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 3 else { throw Self.badReference }
        let ref = try VersionedPID(parsing: String(parts[0]))
        guard let number = ref.version else { throw Self.badReference }
        var signed = false
        if parts.count == 3 {
            let payload = "\(parts[0])~\(parts[1])"
            guard let expires = Int(parts[1]), ConstantTime.equal(Self.signature(payload, key: repository.signingKey), parts[2]) else {
                throw Self.badReference
            }
            guard Date(timeIntervalSince1970: TimeInterval(expires)) > Date() else {
                throw Problem(
                    .forbidden, "preview-expired", vi: "Liên kết xem thử đã hết hạn; hãy mở lại từ trang học liệu.",
                    en: "This preview link has expired; open the preview again from the material's page.")
            }
            signed = true
        }
        guard let material = try await repository.store.material(ref.pid), signed || AccessPolicy.canSeeVersion(nil, material, number: number),
            let version = try await repository.store.version(ref.pid, number: number)
        else { throw Problem.notFound("bản xem thử / preview \(ref.pid)@v\(number)") }
        let target = Target(material: material, version: version, signed: signed, reference: reference)
        packages.remember(reference, target)
        return target
    }

    /// Shared caches keep only what anyone may see for good: a published, public version through its plain address.
    static func cacheControl(_ target: Target) -> String {
        !target.signed && AccessPolicy.isPubliclyCacheable(target.material, number: target.version.number)
            ? "public, max-age=31536000, immutable" : "private, no-store"
    }

    static let badReference = Problem.badRequest(
        "Tham chiếu xem thử phải có dạng PID@vN.", "A preview reference is PID@vN (or a signed reference issued by the API).")

    // MARK: Handlers

    /// `POST /api/v1/materials/{pid}/versions/{n}/preview`: the address to preview a version at.
    @Sendable func issue(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let materials = MaterialController(repository: repository)
        let material = try await materials.visibleMaterial(context)
        let n = try await materials.visibleVersion(material, context).number
        if AccessPolicy.canSeeVersion(nil, material, number: n) {
            return try JSONResponse(["url": "/preview/\(material.pid.rawValue)@v\(n)/"])
        }
        let expires = Date().addingTimeInterval(Self.signedLifetime)
        let reference = Self.signedReference(material.pid, version: n, expires: expires, key: repository.signingKey)
        return try JSONResponse(["url": "/preview/\(reference)/", "expires": HoclieuJSON.timestamp(expires)])
    }

    /// `GET /preview/{ref}/`: the player (SCORM, IMS CP), the launch file (HTML5), a summary (H5P,
    /// GeoGebra) or the file itself (anything that is not a package).
    @Sendable func root(_ request: Request, context: AppRequestContext) async throws -> Response {
        let target = try await target(context)
        guard request.uri.path.hasSuffix("/") else {
            // Relative links in the package resolve against the folder form.
            return Response(status: .movedPermanently, headers: Self.headers([.location: request.uri.path + "/"]))
        }
        guard let summary = target.version.package else { return try await file(request, target, context: context) }
        let open = try await openPackage(target)
        switch summary.kind {
        case "html5":
            let launch = open.report?.launch ?? summary.launch ?? "index.html"
            return Response(status: .found, headers: Self.headers([.location: Self.escapePath(launch)]))
        case "scorm12", "scorm2004", "ims_cp":
            let page = PreviewPages.player(material: target.material, version: target.version, report: open.report)
            return html(page)
        default:
            return html(PreviewPages.summary(material: target.material, version: target.version, report: open.report, paths: open.archive.paths))
        }
    }

    /// `GET /preview/{ref}/{path…}`: one entry of the stored package.
    @Sendable func entry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let target = try await target(context)
        guard let summary = target.version.package else { throw Problem.notFound("tệp trong gói / package entry") }
        let segments = context.parameters.getCatchAll().map { $0.removingPercentEncoding ?? String($0) }
        let path = segments.joined(separator: "/")
        let open = try await openPackage(target)
        guard let entry = open.archive.entry(path) else { throw Problem.notFound("tệp trong gói / package entry \(path)") }
        let mediaType = MediaTypes.forEntry(path)
        let scorm = summary.kind == "scorm12" ? "1.2" : summary.kind == "scorm2004" ? "2004" : nil
        let inject = scorm != nil && mediaType == "text/html"
        let etag = "\"\(target.version.contentID.rawValue.prefix(16))-\(String(entry.crc32, radix: 16))\(inject ? "-rt" : "")\""
        var headers = Self.headers([
            .contentType: mediaType, .eTag: etag, .acceptRanges: "bytes",
            .cacheControl: Self.cacheControl(target),
        ])
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }

        let key = "\(target.version.contentID.rawValue)/\(path)"
        var body = packages.body(key)
        if body == nil, inject || entry.uncompressedSize <= UInt64(packages.maxCachedEntry) {
            let archive = open.archive
            var buffer = try await NIOThreadPool.singleton.runIfActive { () throws -> ByteBuffer in
                let data = try archive.data(entry, limit: 32 << 20)
                return ByteBuffer(bytes: data)
            }
            if let scorm, inject {
                let html = String(decoding: buffer.readableBytesView, as: UTF8.self)
                buffer = ByteBuffer(string: ScormRuntime.inject(into: html, version: scorm))
            }
            packages.keep(key, buffer)
            body = buffer
        }
        let size = UInt64(body?.readableBytes ?? Int(entry.uncompressedSize))
        // A page with the run-time inserted is always sent whole.
        guard let (status, range) = ByteRanges.answer(inject ? nil : request.headers[.range], size: size, headers: &headers) else {
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        if let body {
            return Response(status: status, headers: headers, body: .init(byteBuffer: body.getSlice(at: body.readerIndex + Int(range.lowerBound), length: range.count)!))
        }
        // A large entry streams a chunk at a time: constant memory, whatever its size.
        let reader = UncheckedReader(try open.archive.reader(entry, range: range))
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: range.count) { writer in
            while let chunk = try await NIOThreadPool.singleton.runIfActive({ try reader.reader.next(maxBytes: 256 << 10) }) {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        })
    }

    // MARK: Helpers

    func openPackage(_ target: Target) async throws -> PreviewPackages.OpenPackage {
        do {
            return try await packages.package(
                target.version.contentID, at: repository.blobs.url(for: target.version.contentID), inspect: true)
        } catch {
            throw Problem(
                .unprocessableContent, "invalid-package", vi: "Không mở được gói đã lưu.", en: "The stored package cannot be opened: \(error)")
        }
    }

    /// A version that is a plain file (video, PDF, image…), inline, with byte ranges.
    func file(_ request: Request, _ target: Target, context: AppRequestContext) async throws -> Response {
        let version = target.version
        let etag = "\"\(version.contentID.rawValue)\""
        var headers = Self.headers([
            .contentType: version.mediaType, .eTag: etag, .acceptRanges: "bytes",
            .contentDisposition: "inline",
            .cacheControl: Self.cacheControl(target),
        ])
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
        let size = UInt64(version.byteSize)
        guard let (status, range) = ByteRanges.answer(request.headers[.range], size: size, headers: &headers) else {
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        let path = repository.blobs.url(for: version.contentID).path
        let fileIO = FileIO(threadPool: .singleton)
        let body = range.count == size
            ? try await fileIO.loadFile(path: path, context: context)
            : try await fileIO.loadFile(path: path, range: Int(range.lowerBound)...Int(range.upperBound - 1), context: context)
        return Response(status: status, headers: headers, body: body)
    }

    func html(_ page: String) -> Response {
        Response(
            status: .ok, headers: Self.headers([.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"]),
            body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    /// The headers every preview response carries.
    static func headers(_ fields: HTTPFields) -> HTTPFields {
        var headers = fields
        headers[.contentSecurityPolicy] = sandbox
        headers[.xContentTypeOptions] = "nosniff"
        // A signed reference in the address must not travel to other sites.
        headers[.referrerPolicy] = "no-referrer"
        return headers
    }

    static func escapePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? String($0)
        }.joined(separator: "/")
    }
}

/// The streaming reader is used by one response, one chunk after the other.
private final class UncheckedReader: @unchecked Sendable {
    let reader: EntryReader
    init(_ reader: EntryReader) { self.reader = reader }
}

/// HTTP `Range: bytes=…` for the preview responses: ``ByteRange`` (HoclieuCore) decides, this sets the
/// headers. Single ranges only: a multi-range request gets the whole representation, which the RFC allows.
enum ByteRanges {
    /// The status and byte range to send for a `Range` header (nil header: everything), with
    /// `Content-Range` and `Content-Length` set; nil when the range cannot be satisfied (a 416, whose
    /// `Content-Range` is set too).
    static func answer(_ header: String?, size: UInt64, headers: inout HTTPFields) -> (HTTPResponse.Status, Range<UInt64>)? {
        let answer = ByteRange.answer(header, size: size)
        if let contentRange = answer.contentRange { headers[.contentRange] = contentRange }
        let status: HTTPResponse.Status
        switch answer.status {
        case .ok: status = .ok
        case .partialContent: status = .partialContent
        case .rangeNotSatisfiable: return nil
        }
        headers[.contentLength] = String(answer.contentLength)
        return (status, answer.range)
    }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
