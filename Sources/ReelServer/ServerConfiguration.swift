import Foundation
import Pipeline

/// Settings of `reel serve`. Every value has a default except the callback secret.
public struct ServerConfiguration: Sendable {
    /// The callback listener (the one an operator exposes, behind TLS at a reverse proxy).
    public var callbackHost: String
    public var callbackPort: Int
    /// The path secret: callbacks go to `POST /callbacks/topview/{secret}`.
    public var callbackSecret: String
    public var callbackMaxBytes: Int
    /// The admin listener: health, metrics, API, files, catalog page.
    public var adminHost: String
    public var adminPort: Int
    /// When set, every admin route but `/healthz` needs `Authorization: Bearer <token>`.
    public var adminToken: String?
    /// Page size of `/api/tasks` and the catalog page.
    public var pageSize: Int
    /// Connection limits of both listeners (timeouts, minimum body rate, caps).
    public var limits: HTTPLimits
    public var service: ServiceSettings
    /// The parts this process runs; every process serves `/healthz` and `/metrics` on the admin listener.
    public var roles: ServiceRoles
    /// `reel_build_info{version,ffmpeg}`: this reel's version and the FFmpeg libraries' (set by `reel serve`).
    public var build: (version: String, ffmpeg: String) = ("unknown", "unknown")

    public init(callbackHost: String = "127.0.0.1", callbackPort: Int = 8081, callbackSecret: String,
                callbackMaxBytes: Int = 1 << 20, adminHost: String = "127.0.0.1", adminPort: Int = 8080,
                adminToken: String? = nil, pageSize: Int = 50, limits: HTTPLimits = .init(),
                service: ServiceSettings = .init(), roles: ServiceRoles = .all) {
        self.callbackHost = callbackHost
        self.callbackPort = callbackPort
        self.callbackSecret = callbackSecret
        self.callbackMaxBytes = callbackMaxBytes
        self.adminHost = adminHost
        self.adminPort = adminPort
        self.adminToken = adminToken
        self.pageSize = pageSize
        self.limits = limits
        self.service = service
        self.roles = roles
    }

    /// Parses `HOST:PORT` (`[::1]:8080` for IPv6; a bare port means 127.0.0.1). The port is 0…65535 in decimal
    /// digits (0 picks a free one); an IPv6 host must be bracketed, and a host has no spaces.
    public static func parseBind(_ text: String) -> (host: String, port: Int)? {
        func port(_ digits: Substring) -> Int? {
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let port = Int(digits), (0...65535).contains(port) else { return nil }
            return port
        }
        if let port = port(text[...]) { return ("127.0.0.1", port) }
        guard let colon = text.lastIndex(of: ":"), let port = port(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count >= 2 {
            host = String(host.dropFirst().dropLast())
            guard host.contains(":") else { return nil }
        } else if host.contains(":") || host.contains("[") || host.contains("]") {
            return nil
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        return (host, port)
    }
}
