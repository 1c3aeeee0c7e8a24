import Foundation

/// Why a cartridge could not be written. Messages are in Vietnamese, then English.
public enum CartridgeExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The target LMS cannot import this format (Moodle imports CC 1.0/1.1 only).
    case formatNotAccepted(format: CartridgeExportFormat, target: CartridgeTarget)
    /// Two items have the same identifier.
    case duplicateItem(String)
    /// A blob or package could not be read.
    case sourceUnreadable(item: String, path: String, reason: String)
    /// A package's launch file is not one of its entries.
    case launchNotInPackage(item: String, launch: String)
    /// A text could not be written as XML (a control character, an invalid name).
    case invalidText(item: String, reason: String)
    /// The cartridge file could not be written.
    case writeFailed(path: String, reason: String)
    /// A cartridge of links (thin CC) would point at an address a learner's browser cannot reach
    /// (`localhost`, a loopback or private address): the public address must be configured.
    case publicURLRequired(url: String)

    public var vietnamese: String {
        switch self {
        case .formatNotAccepted(let format, let target):
            "\(target.rawValue) không nhập được định dạng \(format.rawValue); hãy xuất cc1.1"
        case .duplicateItem(let id): "hai học liệu cùng định danh \(id)"
        case .sourceUnreadable(let item, let path, let reason): "không đọc được tệp của \(item) (\(path)): \(reason)"
        case .launchNotInPackage(let item, let launch): "gói của \(item) không có tệp khởi chạy \(launch)"
        case .invalidText(let item, let reason): "không ghi được XML cho \(item): \(reason)"
        case .writeFailed(let path, let reason): "không ghi được gói \(path): \(reason)"
        case .publicURLRequired(let url):
            "liên kết \(url) trỏ tới địa chỉ nội bộ mà người học không mở được; hãy đặt địa chỉ công khai của Hoclieu (HOCLIEU_PUBLIC_URL hoặc --public-url)"
        }
    }

    public var english: String {
        switch self {
        case .formatNotAccepted(let format, let target):
            "\(target.rawValue) cannot import \(format.rawValue); export cc1.1 instead"
        case .duplicateItem(let id): "two items have the identifier \(id)"
        case .sourceUnreadable(let item, let path, let reason): "cannot read the file of \(item) (\(path)): \(reason)"
        case .launchNotInPackage(let item, let launch): "the package of \(item) has no launch file \(launch)"
        case .invalidText(let item, let reason): "cannot write the XML of \(item): \(reason)"
        case .writeFailed(let path, let reason): "cannot write the cartridge \(path): \(reason)"
        case .publicURLRequired(let url):
            "the link \(url) points at a local or private address learners cannot open; set Hoclieu's public address (HOCLIEU_PUBLIC_URL or --public-url)"
        }
    }

    /// `vietnamese / english`.
    public var description: String { "\(vietnamese) / \(english)" }
}
