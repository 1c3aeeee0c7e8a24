public import CommonCartridge
import Foundation
public import ContentPackages
public import HoclieuCore
public import HoclieuStorage

// The errors of the modules below the application layer, as the one ``BilingualError`` protocol of
// Core: the server and the command line map that protocol, never the individual types.

extension StoreError: BilingualError {
    public var category: ErrorCategory {
        switch self {
        case .notFound: .notFound
        case .conflict: .conflict
        case .invalid: .invalid
        }
    }
    public var vietnamese: String {
        switch self {
        case .notFound(let what): "Không tìm thấy \(what)."
        case .conflict(let what): "Xung đột với dữ liệu hiện có: \(what)."
        case .invalid(let what): "Dữ liệu không hợp lệ: \(what)."
        }
    }
    public var english: String {
        switch self {
        case .notFound(let what): "\(what) was not found."
        case .conflict(let what): "Conflicts with what is stored: \(what)."
        case .invalid(let what): "Invalid data: \(what)."
        }
    }
}

extension StoreUnavailableError: BilingualError {
    public var category: ErrorCategory { .unavailable }
    public var code: String { "store-unavailable" }
    public var vietnamese: String {
        startupMessage?.vietnamese ?? "Cơ sở dữ liệu tạm thời không trả lời (đang khởi động lại hoặc mất kết nối). Hãy thử lại sau vài giây."
    }
    public var english: String {
        startupMessage?.english ?? "The database is not answering for the moment (restarting or unreachable). Try again in a few seconds."
    }
}

extension BlobError: BilingualError {
    public var category: ErrorCategory {
        switch self {
        case .tooLarge: .tooLarge
        case .noSpace, .io: .unavailable
        }
    }
    public var code: String {
        switch self {
        case .noSpace: "storage-full"
        default: category.defaultCode
        }
    }
    public var vietnamese: String {
        switch self {
        case .tooLarge(let limit): "Tệp lớn hơn giới hạn \(limit) byte."
        case .noSpace: "Ổ lưu trữ tệp đã đầy: tệp này chưa được lưu (các tệp đã lưu trước đó không bị ảnh hưởng). Hãy báo quản trị viên."
        case .io(let why): "Không ghi được tệp: \(why)."
        }
    }
    public var english: String {
        switch self {
        case .tooLarge(let limit): "The file is larger than the \(limit)-byte limit."
        case .noSpace: "The file storage volume is full: this file was not stored (files stored before are unaffected). Tell the administrator."
        case .io(let why): "The file could not be written: \(why)."
        }
    }
}

extension FileNameError: BilingualError {
    public var category: ErrorCategory { .badRequest }
    public var code: String { "unsafe-file-name" }
    public var vietnamese: String {
        switch self {
        case .empty: "Tên tệp để trống."
        case .tooLong: "Tên tệp quá dài."
        case .unsafe(let name): "Tên tệp không an toàn: \(name)."
        }
    }
    public var english: String {
        switch self {
        case .empty: "The file name is empty."
        case .tooLong: "The file name is too long."
        case .unsafe(let name): "Unsafe file name: \(name)."
        }
    }
}

extension CartridgeError: BilingualError {
    public var code: String { "invalid-cartridge" }
}

extension CartridgeExportError: BilingualError {
    public var code: String { "export-failed" }
}

extension PackageError: BilingualError {
    public var code: String { "invalid-package" }
    // PackageError and ArchiveError keep one "vi / en" description in ContentPackages; it is split here, once.
    public var vietnamese: String { description.components(separatedBy: " / ").first ?? description }
    public var english: String {
        let parts = description.components(separatedBy: " / ")
        return parts.count > 1 ? parts.dropFirst().joined(separator: " / ") : description
    }
}

/// The message of a failure for people, Vietnamese then English.
public enum ErrorText {
    /// `vi / en` for every ``BilingualError``; nil for any other error.
    public static func bilingual(_ error: any Error) -> String? {
        (error as? any BilingualError)?.bilingual
    }
}
