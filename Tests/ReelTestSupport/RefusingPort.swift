import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback port that refuses every connection for as long as this value lives: a socket bound to it that never
/// listens. (A port closed after listening can be handed to the next process that binds port 0 — another test's
/// sandbox — and then answers.)
public final class RefusingPort: Sendable {
    public let port: Int
    private let descriptor: Int32

    public var url: String { "http://127.0.0.1:\(port)" }

    public init() throws {
        (descriptor, port) = try boundLoopbackSocket(reuseAddress: false)
    }

    deinit { close(descriptor) }
}

/// A TCP socket bound to 127.0.0.1 on a port the kernel picks (not listening yet), and that port.
public func boundLoopbackSocket(reuseAddress: Bool) throws -> (descriptor: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketSetupError(description: "socket: errno \(errno)") }
    if reuseAddress {
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else {
        close(fd)
        throw SocketSetupError(description: "bind: errno \(errno)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A loopback socket that could not be set up.
public struct SocketSetupError: Error, CustomStringConvertible {
    public let description: String
}
