public import ContentPackages

/// Why a cartridge is refused as a whole. Defects the import can work around (schema violations, an
/// unknown resource type, a broken module item) are not errors: they are ``CartridgePlan/warnings`` and
/// ``CartridgePlan/dropped``.
public enum CartridgeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a ZIP archive, a damaged one, or one refused by the archive limits (zip bomb, too many entries,
    /// unsafe entry names).
    case archive(ArchiveError)
    /// No `imsmanifest.xml` at the root of the archive.
    case noManifest
    /// `imsmanifest.xml` is larger than the limit.
    case manifestTooLarge(limit: Int)
    /// `imsmanifest.xml` is not well-formed XML.
    case malformedManifest(line: Int, reason: String)
    /// `imsmanifest.xml` has a `<!DOCTYPE>` (the way in for external entities and entity expansion).
    case doctypeRefused
    /// The manifest is not a Common Cartridge manifest: its root element or namespace is not one of CC 1.0–1.3.
    case notACartridge(namespace: String)
    /// A path in the manifest (`href`, `xml:base`) is absolute or climbs out of the archive.
    case unsafePath(String)
    /// The archive lacks most of the files the manifest lists (a truncated or stripped cartridge).
    case missingFiles([String])
    /// Several resources share an identifier, so module items and dependencies are ambiguous.
    case duplicateIdentifiers([String])
    /// Resources depend on each other in a circle (the identifiers of one cycle, in order).
    case circularDependency([String])
    /// The caller cancelled the import.
    case cancelled

    /// The message in Vietnamese.
    public var vietnamese: String {
        switch self {
        case .archive(let error): "Tệp nén có vấn đề: \(error.vietnamese)"
        case .noManifest: "Tệp nén không có imsmanifest.xml ở thư mục gốc: đây không phải Common Cartridge"
        case .manifestTooLarge(let limit): "imsmanifest.xml lớn hơn giới hạn \(limit) byte"
        case .malformedManifest(let line, let reason): "imsmanifest.xml không phải XML hợp lệ (dòng \(line)): \(reason)"
        case .doctypeRefused: "imsmanifest.xml có khai báo DOCTYPE, bị từ chối vì lý do an toàn (thực thể ngoài, XXE)"
        case .notACartridge(let namespace):
            "imsmanifest.xml không phải Common Cartridge 1.0–1.3 (không gian tên gốc: \(namespace.isEmpty ? "(không có)" : namespace))"
        case .unsafePath(let path): "Đường dẫn không an toàn trong imsmanifest.xml (tuyệt đối hoặc ra ngoài tệp nén): \(path)"
        case .missingFiles(let paths): "Tệp nén thiếu \(paths.count) tệp được khai báo trong imsmanifest.xml: \(Self.list(paths))"
        case .duplicateIdentifiers(let ids): "Nhiều tài nguyên trùng định danh: \(Self.list(ids))"
        case .circularDependency(let ids): "Các tài nguyên phụ thuộc vòng tròn: \(ids.joined(separator: " → "))"
        case .cancelled: "Đã huỷ nhập"
        }
    }

    /// The message in English.
    public var english: String {
        switch self {
        case .archive(let error): "Archive problem: \(error.english)"
        case .noManifest: "The archive has no imsmanifest.xml at its root: not a Common Cartridge"
        case .manifestTooLarge(let limit): "imsmanifest.xml is larger than \(limit) bytes"
        case .malformedManifest(let line, let reason): "imsmanifest.xml is not well-formed XML (line \(line)): \(reason)"
        case .doctypeRefused: "imsmanifest.xml has a DOCTYPE declaration, refused for safety (external entities, XXE)"
        case .notACartridge(let namespace):
            "imsmanifest.xml is not a Common Cartridge 1.0–1.3 manifest (root namespace: \(namespace.isEmpty ? "(none)" : namespace))"
        case .unsafePath(let path): "Unsafe path in imsmanifest.xml (absolute or outside the archive): \(path)"
        case .missingFiles(let paths): "The archive lacks \(paths.count) files listed in imsmanifest.xml: \(Self.list(paths))"
        case .duplicateIdentifiers(let ids): "Several resources share an identifier: \(Self.list(ids))"
        case .circularDependency(let ids): "Resources depend on each other in a circle: \(ids.joined(separator: " → "))"
        case .cancelled: "The import was cancelled"
        }
    }

    /// `vietnamese / english`.
    public var description: String { "\(vietnamese) / \(english)" }

    private static func list(_ items: [String]) -> String {
        let shown = items.prefix(20).joined(separator: ", ")
        return items.count > 20 ? shown + ", … (+\(items.count - 20))" : shown
    }
}
