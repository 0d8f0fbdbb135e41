import Foundation

/// Which hosts the downloader may contact: exact names or `*.suffix` patterns. A literal IP address is allowed
/// only when it is exactly on the list (so the sandbox's 127.0.0.1 works when it is the configured API host);
/// private, loopback and link-local addresses are otherwise refused before any connection is made.
public struct HostAllowList: Sendable, Hashable {
    /// The vendor's storage domains.
    public static let vendorDefaults = ["*.amazonaws.com", "*.cloudfront.net", "*.topview.ai"]

    /// Lowercased patterns: `host.example` (exact) or `*.example` (any subdomain of `example`).
    public private(set) var patterns: [String]

    /// - Parameters:
    ///   - patterns: the base patterns (default: the vendor's storage domains).
    ///   - extraHosts: more hosts or patterns, typically the configured API's host.
    public init(patterns: [String] = HostAllowList.vendorDefaults, extraHosts: [String] = []) {
        self.patterns = []
        for pattern in patterns + extraHosts { add(pattern) }
    }

    /// Adds a host or `*.suffix` pattern (a URL's host is fine too: `[::1]` or `Example.COM.`).
    public mutating func add(_ pattern: String) {
        let normalized = Self.normalize(pattern)
        if !normalized.isEmpty, !patterns.contains(normalized) { patterns.append(normalized) }
    }

    /// A copy with more hosts allowed.
    public func adding(_ hosts: [String]) -> HostAllowList {
        var copy = self
        for host in hosts { copy.add(host) }
        return copy
    }

    /// Throws unless `url` is http(s), has no userinfo and names an allowed host.
    public func check(_ url: String) throws(DownloadError) {
        _ = try validate(url)
    }

    /// The parsed URL, once it passed ``check(_:)``.
    func validate(_ url: String) throws(DownloadError) -> URLComponents {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw DownloadError(.refusedScheme, url: url, reason: "not an absolute URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw DownloadError(.refusedScheme, url: url, reason: "scheme \"\(scheme)\" is not allowed")
        }
        guard components.user == nil, components.password == nil else {
            throw DownloadError(.refusedHost, url: url, reason: "URLs with user information are not allowed")
        }
        let host = Self.normalize(components.host ?? "")
        guard !host.isEmpty else {
            throw DownloadError(.refusedHost, url: url, reason: "the URL has no host")
        }
        if let address = IPAddressClass(host) {
            // A literal address never matches a wildcard: only an exact entry allows it.
            guard patterns.contains(host) else {
                let what = address.isInternal ? "the \(address) address \(host) is not allowed" : "the address \(host) is not on the allow-list"
                throw DownloadError(.refusedHost, url: url, reason: what)
            }
            return components
        }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
            throw DownloadError(.refusedHost, url: url, reason: "the host name has characters a DNS name cannot have")
        }
        guard patterns.contains(where: { Self.matches(host, $0) }) else {
            throw DownloadError(.refusedHost, url: url, reason: "host \(host) is not on the allow-list")
        }
        return components
    }

    static func matches(_ host: String, _ pattern: String) -> Bool {
        if pattern.hasPrefix("*.") {
            let suffix = pattern.dropFirst(1)  // ".example.com"
            return host.hasSuffix(suffix) && host.count > suffix.count
        }
        return host == pattern
    }

    /// Lowercased, without IPv6 brackets and a trailing dot.
    static func normalize(_ host: String) -> String {
        var host = host.trimmingCharacters(in: .whitespaces).lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }
}

/// What kind of address a literal IPv4 or IPv6 host is.
enum IPAddressClass: CustomStringConvertible {
    case loopback, privateNetwork, linkLocal, unspecified, multicast, other

    /// nil when `host` is not a literal address.
    init?(_ host: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            let a = UInt32(bigEndian: v4.s_addr)
            let (b0, b1) = (a >> 24, (a >> 16) & 0xff)
            switch (b0, b1) {
            case (127, _): self = .loopback
            case (10, _), (172, 16...31), (192, 168), (100, 64...127): self = .privateNetwork
            case (169, 254): self = .linkLocal
            case (0, _): self = .unspecified
            case (224...255, _): self = .multicast
            default: self = .other
            }
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) {
                self = bytes[15] == 1 ? .loopback : .unspecified
            } else if bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80 {
                self = .linkLocal
            } else if (bytes[0] & 0xfe) == 0xfc {
                self = .privateNetwork
            } else if bytes[0] == 0xff {
                self = .multicast
            } else if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
                // IPv4-mapped: classify the embedded IPv4 address.
                self = IPAddressClass(bytes[12...15].map(String.init).joined(separator: ".")) ?? .other
            } else {
                self = .other
            }
        } else {
            return nil
        }
    }

    var isInternal: Bool { self != .other }

    var description: String {
        switch self {
        case .loopback: "loopback"
        case .privateNetwork: "private"
        case .linkLocal: "link-local"
        case .unspecified: "unspecified"
        case .multicast: "multicast"
        case .other: "public"
        }
    }
}
