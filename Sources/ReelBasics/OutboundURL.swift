import Foundation

/// The rules for a URL this process sends credentials or documents to (the API base URL, the notification URL),
/// checked once at start:
///
/// - `http` or `https` only, with a host and no `user:password@`;
/// - with ``Policy/httpsUnlessLoopback``, plain `http` only to a loopback host (`localhost`, 127.0.0.0/8, `::1`);
/// - never a link-local address (169.254.0.0/16, fe80::/10: cloud metadata endpoints), checked on every address
///   the host resolves to, so `http://2852039166/` or a DNS name pointing there is refused as well.
///
/// A host that does not resolve at start passes (the request would fail anyway); the check is not repeated per
/// connection, so a name re-pointed later (DNS rebinding) is not caught here.
public enum OutboundURL {
    public enum Policy: Sendable {
        /// `https://` unless the host is loopback (the API base URL: it receives the API key).
        case httpsUnlessLoopback
        /// `http://` or `https://` (a notification endpoint on the operator's network).
        case httpOrHTTPS
    }

    /// Nil when `text` may be used; otherwise why not, phrased to follow the setting's name
    /// (`must be https:// (http:// only for a loopback host such as 127.0.0.1)`).
    public static func problem(_ text: String, policy: Policy,
                               resolve: (String) -> [[UInt8]]? = HostAddress.resolve) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return "must be an http(s) URL such as https://example.com"
        }
        guard scheme == "http" || scheme == "https" else {
            return "must be an http:// or https:// URL (not \(SafeText.escape(scheme, limit: 16))://)"
        }
        guard let host = components.percentEncodedHost.map(HostAddress.unbracketed), !host.isEmpty else {
            return "must name a host (https://HOST[:PORT])"
        }
        guard !host.contains("%") else { return "must not percent-encode its host" }
        guard components.percentEncodedUser == nil, components.percentEncodedPassword == nil else {
            return "must not contain user:password@"
        }
        let loopback = HostAddress.isLoopback(host)
        if policy == .httpsUnlessLoopback, scheme == "http", !loopback {
            return "must be https:// (http:// only for a loopback host: localhost, 127.0.0.0/8, ::1)"
        }
        if let literal = HostAddress.ipv4(host) ?? HostAddress.ipv6(host), HostAddress.isLinkLocal(literal) {
            return "must not point at a link-local address (169.254.0.0/16, fe80::/10)"
        }
        if !loopback, let addresses = resolve(host), addresses.contains(where: HostAddress.isLinkLocal) {
            return "must not point at a link-local address (169.254.0.0/16, fe80::/10): \(SafeText.escape(host, limit: 64)) resolves to one"
        }
        return nil
    }
}
