import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP connection to 127.0.0.1 for the connection-limit tests: idle sockets, bytes trickled one at a time,
/// and "did the server close it, and when?". Blocking calls with short socket timeouts; run off the cooperative pool.
final class RawSocket: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackHTTPError(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            let code = errno
            // A signal cut the wait (EINTR): the connection goes on by itself; wait for it and read its outcome.
            guard code == EINTR, Self.finishConnect(fd) else {
                close(fd)
                throw LoopbackHTTPError(description: "connect to port \(port): errno \(code)")
            }
        }
    }

    /// Waits (up to 10 s) for a connect that a signal interrupted; true when it succeeded.
    private static func finishConnect(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var ready: Int32
        repeat { ready = poll(&entry, 1, 10_000) } while ready < 0 && errno == EINTR
        guard ready == 1 else { return false }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 && failure == 0
    }

    deinit { close(fd) }

    /// Sends bytes; false when the server has closed the connection.
    @discardableResult
    func send(_ bytes: some Sequence<UInt8>) -> Bool {
        let data = Array(bytes)
        return data.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == data.count
    }

    /// What the server sent until it closed the connection, or nil if it is still open after `within`.
    func readUntilClosed(within: Duration) -> Data? {
        let deadline = ContinuousClock.now + within
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = deadline - .now
            if left <= .zero { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(min(1000, max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            guard poll(&poller, 1, ms) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return received }
            received.append(contentsOf: buffer[0..<n])
        }
    }

    /// True when the server has sent something or closed the connection (without waiting).
    var isReadable: Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0
    }

    /// Sends one whole request and reads its answer (head and `Content-Length` body), leaving the connection open;
    /// nil when the server closed it or sent nothing within `within`.
    func exchange(_ request: String, within: Duration = .seconds(60)) -> String? {
        guard send(Array(request.utf8)) else { return nil }
        let deadline = ContinuousClock.now + within
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            if let headEnd = received.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count - headEnd.upperBound >= length { return String(decoding: received, as: UTF8.self) }
            }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            received.append(contentsOf: buffer[0..<n])
        }
        return nil
    }

    /// True when the server has closed the connection already (without waiting).
    var isClosedByPeer: Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }
}

/// Runs blocking socket work on a thread of its own.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
