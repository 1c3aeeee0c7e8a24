import Foundation

/// The public base URL every CASE `uri` is built from. Consumers fetch and republish these URIs (OpenSALT
/// mirrors frameworks by them, CASS keys relations on them), so they must be reachable by others and never
/// change: a loopback or unspecified host, a scheme other than http(s), or a host that is not plain ASCII
/// (letters, digits, hyphens; IDNs in punycode, `xn--…`) makes the provider refuse to serve CASE at all.
public enum CASEBaseURL {
    /// Why `base` cannot be published in CASE URIs, in Vietnamese and English; nil when it can.
    public static func problem(_ base: String) -> String? {
        let help = "đặt HOCLIEU_PUBLIC_URL là địa chỉ công khai cố định của dịch vụ / set HOCLIEU_PUBLIC_URL to the service's fixed public address"
        // Parsed by hand: Foundation's URLComponents on Linux gives no host for punycode names.
        guard let schemeEnd = base.range(of: "://") else {
            return "địa chỉ gốc không phải URL tuyệt đối / the base is not an absolute URL: \(base) — \(help)"
        }
        let scheme = base[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return "địa chỉ gốc phải là http(s) / the base must be an http(s) URL: \(base) — \(help)"
        }
        let rest = base[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@"), !rest.contains("?"), !rest.contains("#") else {
            return "địa chỉ gốc không được có tên đăng nhập, truy vấn hay mảnh / the base must not carry credentials, a query or a fragment: \(base)"
        }
        var host = String(authority).lowercased()
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = String(host[...close])
        } else if let colon = host.lastIndex(of: ":") {
            guard host[host.index(after: colon)...].allSatisfy(\.isASCII), Int(host[host.index(after: colon)...]) != nil else {
                return "cổng không hợp lệ / invalid port: \(base)"
            }
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { return "địa chỉ gốc không có tên máy / the base has no host: \(base) — \(help)" }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if isLoopbackOrUnspecified(bare) {
            return "địa chỉ gốc là máy cục bộ hoặc 0.0.0.0, người dùng CASE không tới được / "
                + "the base is a loopback or unspecified address that CASE consumers cannot reach: \(base) — \(help)"
        }
        if bare.contains(":") { return nil }  // an IPv6 literal
        let labels = bare.split(separator: ".", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.allSatisfy(allowed.contains) && !$0.hasPrefix("-") && !$0.hasSuffix("-") })
        else {
            return "tên máy phải là ASCII (chữ, số, gạch nối; tên miền tiếng Việt viết dạng punycode xn--) / "
                + "the host must be ASCII letters, digits and hyphens (an IDN in punycode, xn--…): \(host)"
        }
        return nil
    }

    static func isLoopbackOrUnspecified(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "0.0.0.0" || host == "::" || host == "::1" || host == "0:0:0:0:0:0:0:1" {
            return true
        }
        let octets = host.split(separator: ".").compactMap { UInt8($0) }
        return octets.count == 4 && host.split(separator: ".").count == 4 && (octets[0] == 127 || octets == [0, 0, 0, 0])
    }
}
