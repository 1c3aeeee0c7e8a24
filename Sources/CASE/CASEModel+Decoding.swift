import Foundation

extension CASE.LinkURI {
    /// CASE 1.0 makes every `…URI` field a `LinkURI` object (`title`, `identifier`, `uri`); OpenSALT, the
    /// reference implementation, writes some of them as a plain URI string. Both are read: from a string, the
    /// identifier is the URI's last path segment and the title is empty. What Hoclieu writes is always the object.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let uri = try? single.decode(String.self) {
            self.init(title: "", identifier: Self.identifier(in: uri), uri: uri)
            return
        }
        let container = try decoder.container(keyedBy: LinkKeys.self)
        let uri = try container.decode(String.self, forKey: .uri)
        let identifier = try container.decodeIfPresent(String.self, forKey: .identifier)
        self.init(
            title: try container.decodeIfPresent(String.self, forKey: .title) ?? "",
            identifier: identifier.flatMap { $0.isEmpty ? nil : $0 } ?? Self.identifier(in: uri), uri: uri)
    }

    /// The last path segment of a URI (`…/CFItems/{uuid}` → `{uuid}`), without query or fragment.
    static func identifier(in uri: String) -> String {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        let bare = path.split(separator: "#", maxSplits: 1).first.map(String.init) ?? path
        return bare.split(separator: "/").last.map(String.init) ?? bare
    }

    private enum LinkKeys: String, CodingKey { case title, identifier, uri }
}
