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

/// Playback of stored versions on the **content origin** (`HOCLIEU_CONTENT_URL`, a second port on one
/// machine): package entries straight from the stored archive (never extracted), the SCORM player with
/// its run-time, H5P/GeoGebra summaries and plain files with byte ranges.
///
/// | method | path | origin | policy |
/// |---|---|---|---|
/// | GET | /preview/{ref} | content | `{pid}@v{n}` of a version anyone may see, or a signed reference |
/// | GET | /preview/{ref}/{path…} | content | the same |
///
/// The package's frames share the content origin, so nested frames and `parent.API` discovery work,
/// but they can never reach the main origin's API, cookies or tokens: the content origin has no API,
/// sets no cookie and never reads a credential. What an anonymous visitor may not see is played
/// through a signed, expiring reference `{pid}@v{n}~{expires}~{viewer}~{signature}` (HMAC-SHA256 with
/// the service's signing key) that the main origin hands to those who may see it; the viewer's access
/// is checked again on use. Every response carries ``ContentOrigin/headers``.
struct PreviewController {
    let repository: Services
    let packages: PreviewPackages

    /// How long a signed preview reference stays valid.
    static let signedLifetime: TimeInterval = 2 * 3600

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/preview/{ref}", use: root)
        router.get("/preview/{ref}/**", use: entry)
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

    /// A signed reference to a version for one viewer (0: anonymous), valid until `expires`.
    static func signedReference(_ pid: PersistentIdentifier, version: Int, expires: Date, viewer: Int64?, key: SymmetricKey) -> String {
        let payload = "\(pid.rawValue)@v\(version)~\(Int(expires.timeIntervalSince1970))~\(viewer ?? 0)"
        return "\(payload)~\(signature(payload, key: key))"
    }

    /// A reference as written in an address: the version, and for a signed one its viewer.
    struct ParsedReference: Sendable {
        let ref: VersionedPID
        let number: Int
        /// nil: a plain reference; otherwise the signed viewer (0: anonymous).
        let viewer: Int64?
    }

    /// Parses and, for a signed reference, verifies the signature and the expiry.
    static func parse(_ reference: String, key: SymmetricKey, now: Date = Date()) throws -> ParsedReference {
        let parts = reference.split(separator: "~", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 4 else { throw badReference }
        let ref = try VersionedPID(parsing: String(parts[0]))
        guard let number = ref.version else { throw badReference }
        guard parts.count == 4 else { return ParsedReference(ref: ref, number: number, viewer: nil) }
        let payload = parts[0...2].joined(separator: "~")
        guard let expires = Int64(parts[1]), let viewer = Int64(parts[2]), viewer >= 0,
            ConstantTime.equal(signature(payload, key: key), parts[3])
        else { throw badReference }
        guard expires > Int64(now.timeIntervalSince1970) else {
            throw Problem(
                .forbidden, "preview-expired", vi: "Liên kết xem thử đã hết hạn; hãy mở lại từ trang học liệu.",
                en: "This preview link has expired; open the preview again from the material's page.")
        }
        return ParsedReference(ref: ref, number: number, viewer: viewer)
    }

    func target(_ context: AppRequestContext) async throws -> Target {
        let reference = try context.parameters.require("ref")
        if let cached = packages.resolved(reference) { return cached }
        let parsed = try Self.parse(reference, key: repository.signingKey)
        // A signed reference plays what its viewer may see now (not what they could when it was signed).
        var viewer: User? = nil
        if let id = parsed.viewer, id != 0 { viewer = try await repository.signedViewer(id: id) }
        let pid = parsed.ref.pid
        guard let material = try await repository.store.material(pid), AccessPolicy.canSeeVersion(viewer, material, number: parsed.number),
            let version = try await repository.store.version(pid, number: parsed.number)
        else { throw Problem.notFound("bản xem thử / preview \(pid)@v\(parsed.number)") }
        let target = Target(material: material, version: version, signed: parsed.viewer != nil, reference: reference)
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
            let page = PreviewPages.player(
                material: target.material, version: target.version, report: open.report,
                embedOrigins: ContentOrigin.embedOrigins(repository.configuration))
            return html(page)
        default:
            // H5P plays when the package carries every library it asks for; otherwise the libraries it lacks
            // are said plainly (never a blank frame).
            let plan: Result<H5PPlayerPlan, any Error>? =
                summary.kind == "h5p" ? Result { try H5PPlayerPlan.make(open.archive) } : nil
            if case .success(let playable)? = plan, playable.missing.isEmpty {
                let configuration = repository.configuration
                let version = "\(target.material.pid.rawValue)@v\(target.version.number)"
                return html(
                    PreviewPages.h5pPlayer(
                        material: target.material, version: target.version, plan: playable,
                        base: configuration.contentBaseURL + "/preview/" + target.reference + "/",
                        activity: configuration.publicBaseURL + "/id/" + version,
                        embedOrigins: ContentOrigin.embedOrigins(configuration)))
            }
            return html(
                PreviewPages.summary(
                    material: target.material, version: target.version, report: open.report, paths: open.archive.paths, h5p: plan))
        }
    }

    /// `GET /preview/{ref}/{path…}`: one entry of the stored package.
    @Sendable func entry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let target = try await target(context)
        guard let summary = target.version.package else { throw Problem.notFound("tệp trong gói / package entry") }
        let path = Self.entryPath(context)
        let open = try await openPackage(target)
        guard let entry = open.archive.entry(path) else { throw Problem.notFound("tệp trong gói / package entry \(path)") }
        let mediaType = MediaTypes.forEntry(path)
        let etag = "\"\(target.version.contentID.rawValue.prefix(16))-\(String(entry.crc32, radix: 16))\""
        var headers = Self.headers([
            .contentType: mediaType, .eTag: etag, .acceptRanges: "bytes",
            .cacheControl: Self.cacheControl(target),
        ])
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }

        let key = "\(target.version.contentID.rawValue)/\(path)"
        var body = packages.body(key)
        if body == nil, entry.uncompressedSize <= UInt64(packages.maxCachedEntry) {
            let archive = open.archive
            let buffer = try await NIOThreadPool.singleton.runIfActive { () throws -> ByteBuffer in
                let data = try archive.data(entry, limit: 32 << 20)
                return ByteBuffer(bytes: data)
            }
            packages.keep(key, buffer)
            body = buffer
        }
        let size = UInt64(body?.readableBytes ?? Int(entry.uncompressedSize))
        guard let (status, range) = ByteRanges.answer(request.headers[.range], size: size, headers: &headers) else {
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

    /// The headers every content-origin response carries (``ContentOrigin/headers``).
    static func headers(_ fields: HTTPFields) -> HTTPFields {
        var headers = fields
        ContentOrigin.secure(&headers)
        return headers
    }

    /// The entry path after the reference, percent-decoded.
    static func entryPath(_ context: AppRequestContext) -> String {
        context.parameters.getCatchAll().map { $0.removingPercentEncoding ?? String($0) }.joined(separator: "/")
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
    static let crossOriginResourcePolicy = Self("Cross-Origin-Resource-Policy")!
}
