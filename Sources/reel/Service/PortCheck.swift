import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Before `reel serve` starts its listeners: a port another process holds is named with its listener and the flag that
/// moves it (`the admin listener cannot bind 127.0.0.1:8080: the address is in use; choose another with --bind or
/// REEL_BIND`), instead of a bare "Address already in use". Port 0 (any free one) is not checked.
enum PortCheck {
    /// The message for the first of `listeners` whose address is taken, or nil.
    static func problem(_ listeners: [(name: String, host: String, port: Int, flag: String, variable: String)]) -> String? {
        for listener in listeners where listener.port != 0 && isTaken(host: listener.host, port: listener.port) {
            return "the \(listener.name) listener cannot bind \(ServeConfiguration.hostInURL(listener.host)):\(listener.port): "
                + "the address is in use (another reel serve?); choose another with \(listener.flag) or \(listener.variable)"
        }
        return nil
    }

    /// Whether binding `host:port` fails with EADDRINUSE (IPv4 and IPv6 literals; a name is left to the listener).
    static func isTaken(host: String, port: Int) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        let family: Int32
        if inet_pton(AF_INET, host, &v4) == 1 { family = AF_INET }
        else if inet_pton(AF_INET6, host, &v6) == 1 { family = AF_INET6 }
        else { return false }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var reuse: Int32 = 1 // as the listener binds: a port in TIME_WAIT is not "in use"
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr = v4
            result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            address.sin6_addr = v6
            result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        return result != 0 && errno == EADDRINUSE
    }
}
