#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What kind of host a name or address is: loopback (a listener only this machine reaches, a local test server)
/// or link-local (cloud metadata endpoints such as 169.254.169.254, which must never receive a key or a document).
public enum HostAddress {
    /// `localhost`, an IPv4 literal in 127.0.0.0/8 or `::1` (brackets allowed). Decided on the text, without DNS.
    public static func isLoopback(_ host: String) -> Bool {
        let host = unbracketed(host).lowercased()
        if host == "localhost" || host == "localhost." { return true }
        if let v4 = ipv4(host) { return v4[0] == 127 }
        if let v6 = ipv6(host) { return v6 == [UInt8](repeating: 0, count: 15) + [1] }
        return false
    }

    /// 169.254.0.0/16, fe80::/10, and those IPv4 addresses mapped into IPv6 (`::ffff:169.254.x.y`).
    /// `address` is 4 or 16 bytes in network order.
    public static func isLinkLocal(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4:
            return address[0] == 169 && address[1] == 254
        case 16:
            if address[0] == 0xFE && address[1] & 0xC0 == 0x80 { return true }
            let mapped = address.prefix(10).allSatisfy { $0 == 0 } && address[10] == 0xFF && address[11] == 0xFF
            return mapped && isLinkLocal(Array(address.suffix(4)))
        default:
            return false
        }
    }

    /// Every address `host` resolves to (getaddrinfo: literals in any form inet_aton takes, /etc/hosts, DNS),
    /// each 4 or 16 bytes in network order; nil when it does not resolve.
    public static func resolve(_ host: String) -> [[UInt8]]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(unbracketed(host), nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next?.pointee {
            next = info.ai_next
            guard let raw = info.ai_addr else { continue }
            if info.ai_family == AF_INET {
                let sin = UnsafeRawPointer(raw).loadUnaligned(as: sockaddr_in.self)
                addresses.append(withUnsafeBytes(of: sin.sin_addr) { Array($0) })
            } else if info.ai_family == AF_INET6 {
                let sin6 = UnsafeRawPointer(raw).loadUnaligned(as: sockaddr_in6.self)
                addresses.append(withUnsafeBytes(of: sin6.sin6_addr) { Array($0) })
            }
        }
        return addresses
    }

    /// A strict dotted-quad IPv4 literal (inet_pton), 4 bytes.
    public static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    /// An IPv6 literal without brackets (inet_pton), 16 bytes.
    public static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") && host.count >= 2 ? String(host.dropFirst().dropLast()) : host
    }
}
