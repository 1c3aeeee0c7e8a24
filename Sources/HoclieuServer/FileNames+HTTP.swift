import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import NIOPosix

extension FileNames {
    /// The validated name, or a problem response explaining the refusal.
    static func validated(_ name: String?) throws -> String {
        guard let name else {
            throw Problem.badRequest(
                "Thiếu tên tệp (tham số filename hoặc Content-Disposition).", "The file name is missing (filename parameter or Content-Disposition).")
        }
        do {
            return try validate(name)
        } catch {
            throw Problem(
                .badRequest, "unsafe-file-name", vi: "Tên tệp không hợp lệ: không được chứa /, \\, .. hay ký tự điều khiển.",
                en: "Invalid file name: no /, \\, .. or control characters.")
        }
    }

    /// The `filename` (or RFC 5987 `filename*`) of a Content-Disposition header.
    static func fromContentDisposition(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if part.lowercased().hasPrefix("filename*="), let quote = part.range(of: "''") {
                return String(part[quote.upperBound...]).removingPercentEncoding
            }
        }
        for part in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where part.lowercased().hasPrefix("filename=") {
            var value = String(part.dropFirst("filename=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    /// `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987).
    static func contentDisposition(_ name: String) -> String {
        let ascii = String(VietnameseText.fold(name).map { $0.isASCII && $0 != "\"" && $0 != "\\" ? $0 : "_" })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

extension Services {
    /// Streams a request body into a new blob as it arrives (never held in memory): over the upload limit is a
    /// 413 before or while reading, an empty body a 422, and a failed upload leaves nothing behind.
    func storeBody(of request: Request) async throws -> StoredBlob {
        let limit = configuration.maxUploadBytes
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > limit { throw BlobError.tooLarge(limit: limit) }
        let writer = try blobs.makeWriter(limit: limit)
        do {
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { try writer.write($0) }
            }
        } catch {
            writer.abort()
            throw error
        }
        guard writer.byteCount > 0 else {
            writer.abort()
            throw Problem(.unprocessableContent, "empty-file", vi: "Tệp rỗng.", en: "The file is empty.")
        }
        return try writer.commit()
    }
}
