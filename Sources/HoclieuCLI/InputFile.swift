import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuCore

/// Why a path named on the command line cannot be used, in one line, Vietnamese then English.
enum InputFileError: BilingualError, Equatable, CustomStringConvertible {
    case missing(String)
    case folder(String)
    case notAFolder(String)
    case unreadable(String)
    case empty(String)
    /// The file is not what the command reads; `expected` says what it reads, in both languages.
    case wrongKind(String, expected: String)
    /// An output path that is a folder, or whose folder does not exist.
    case unwritable(String)

    var code: String { "bad-input-file" }

    var vietnamese: String {
        switch self {
        case .missing(let path): "không có tệp hay thư mục này: \(path)"
        case .folder(let path): "đây là thư mục, không phải tệp (hãy nêu từng tệp, ví dụ THƯ_MỤC/*, hoặc nén gói đã giải nén thành .zip): \(path)"
        case .notAFolder(let path): "đây là tệp, không phải thư mục: \(path)"
        case .unreadable(let path): "không đọc được tệp (không có quyền): \(path)"
        case .empty(let path): "tệp rỗng: \(path)"
        case .wrongKind(let path, let expected): "tệp không đúng loại, cần \(expected.components(separatedBy: " / ").first ?? expected): \(path)"
        case .unwritable(let path): "không ghi được vào đường dẫn này (là thư mục, hoặc thư mục chứa không có): \(path)"
        }
    }

    var english: String {
        switch self {
        case .missing(let path): "no such file or folder: \(path)"
        case .folder(let path): "is a folder, not a file (name its files, e.g. DIR/*, or zip an unpacked package): \(path)"
        case .notAFolder(let path): "is a file, not a folder: \(path)"
        case .unreadable(let path): "cannot read the file (permission denied): \(path)"
        case .empty(let path): "the file is empty: \(path)"
        case .wrongKind(let path, let expected): "wrong kind of file, expected \(expected.components(separatedBy: " / ").dropFirst().joined(separator: " / ")): \(path)"
        case .unwritable(let path): "cannot write there (a folder, or its folder is missing): \(path)"
        }
    }

    var description: String { "\(vietnamese) / \(english)" }
}

/// Checks of the paths commands are given, before any work: every command answers a missing file, a folder,
/// an unreadable or empty file and a file of the wrong kind with one ``InputFileError`` line.
enum InputFile {
    /// A regular file that exists, can be opened for reading and is not empty.
    static func check(_ path: String) throws(InputFileError) -> URL {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw .missing(path) }
        if isDirectory.boolValue { throw .folder(path) }
        let descriptor = open(url.path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else { throw errno == ENOENT ? .missing(path) : .unreadable(path) }
        close(descriptor)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { throw .unreadable(path) }
        guard attributes[.type] as? FileAttributeType == .typeRegular else { throw .wrongKind(path, expected: "một tệp thường / a regular file") }
        guard ((attributes[.size] as? NSNumber)?.int64Value ?? 0) > 0 else { throw .empty(path) }
        return url
    }

    /// A folder that exists.
    static func checkFolder(_ path: String) throws(InputFileError) -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(path) }
        guard isDirectory.boolValue else { throw .notAFolder(path) }
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// A file to be written: not a folder, in a folder that exists.
    static func checkOutput(_ path: String) throws(InputFileError) -> URL {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue { throw .unwritable(path) }
        var parentIsDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.deletingLastPathComponent().path, isDirectory: &parentIsDirectory),
            parentIsDirectory.boolValue
        else { throw .unwritable(path) }
        return url
    }

    /// The first `count` bytes of a file (fewer when it is shorter).
    static func head(_ url: URL, _ count: Int = 8) -> Data {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return Data() }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: count)) ?? Data()
    }

    /// Whether the file starts as a ZIP archive does (`PK\3\4`, or `PK\5\6` for an empty one).
    static func isZip(_ url: URL) -> Bool {
        let bytes = [UInt8](head(url, 4))
        guard bytes.count == 4, bytes[0] == 0x50, bytes[1] == 0x4B else { return false }
        return (bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6)
    }
}

/// The one line a person sees when a command fails on something other than its command line.
enum CommandErrorText {
    /// Vietnamese and English for the errors commands meet (files, storage, packages); nil for the errors
    /// ArgumentParser explains itself (usage, validation, exit codes).
    static func line(for error: any Error) -> String? {
        switch error {
        case let error as InputFileError: return error.description
        case is ValidationError, is ExitCode, is CleanExit: return nil
        default: break
        }
        if let text = ErrorText.bilingual(error) { return text }
        if let error = error as? CocoaError { return foundation(error.code.rawValue, path: error.filePath ?? error.url?.path) }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain {
            return foundation(ns.code, path: (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path)
        }
        if ns.domain == NSPOSIXErrorDomain { return "lỗi hệ thống tệp / file system error: \(String(cString: strerror(Int32(ns.code))))" }
        return nil
    }

    /// Foundation's file errors as one bilingual line (never the `Error Domain=… UserInfo=…` dump).
    static func foundation(_ code: Int, path: String?) -> String {
        let at = path.map { ": \($0)" } ?? ""
        switch code {
        case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue: return InputFileError.missing(path ?? "?").description
        case CocoaError.fileReadNoPermission.rawValue, CocoaError.fileWriteNoPermission.rawValue:
            return "không có quyền truy cập / permission denied\(at)"
        case CocoaError.fileWriteOutOfSpace.rawValue: return "hết chỗ trên đĩa / no space left on the disk\(at)"
        case CocoaError.fileWriteFileExists.rawValue: return "tệp đã có / the file exists already\(at)"
        case CocoaError.fileReadCorruptFile.rawValue: return "tệp hỏng hoặc không đúng định dạng / the file is damaged or not in the expected format\(at)"
        default: return "không đọc hay ghi được tệp / the file could not be read or written\(at)"
        }
    }
}
