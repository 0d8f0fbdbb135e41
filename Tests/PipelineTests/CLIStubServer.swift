import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with one canned answer and counts the
/// requests: an upstream that stays busy forever, or a listener that proves no request was sent.
/// Blocking sockets on a thread of its own (never the cooperative pool); ``stop()`` closes it.
final class CLIStubServer: Sendable {
    let port: Int
    private let listener: Int32
    private let answer: [UInt8]
    private let state = Mutex((requests: 0, stopped: false))

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: Int { state.withLock { $0.requests } }

    /// Answers `body` as JSON with HTTP `status`.
    init(status: Int = 200, body: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ReelLaunchError(description: "socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw ReelLaunchError(description: "bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let payload = Array(body.utf8)
        answer = Array("HTTP/1.1 \(status) Status\r\nContent-Type: application/json\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n".utf8) + payload
        Thread { [self] in self.serve() }.start()
    }

    /// An upstream answering `code` (for example 5003, server busy) to every query.
    static func envelope(code: String, message: String) throws -> CLIStubServer {
        try CLIStubServer(body: #"{"code":"\#(code)","message":"\#(message)","result":null}"#)
    }

    func stop() {
        let wasStopped = state.withLock { state in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if state.withLock({ $0.stopped }) || errno != EINTR && errno != ECONNABORTED { return }
                continue
            }
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.ends(with: Array("\r\n\r\n".utf8)) && request.count < 65536 {
                let n = read(connection, &buffer, buffer.count)
                if n <= 0 { break }
                request += buffer[0..<n]
            }
            state.withLock { $0.requests += 1 }
            _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            close(connection)
        }
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
