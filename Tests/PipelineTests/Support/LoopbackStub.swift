import ReelTestSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 that keeps every request (head and body) and answers each with what
/// `answer(n)` says for the n-th request (from 1): an upstream that stays busy forever, a listener that proves no
/// request was sent, a notification receiver that fails first. Blocking sockets on a thread of its own (never the
/// cooperative pool); ``stop()`` closes it.
final class LoopbackStub: Sendable {
    struct Received: Sendable {
        let head: String
        let body: Data
    }

    struct Answer: Sendable {
        var status: String
        var body: String
        var contentType = "application/json"
    }

    let port: Int
    private let listener: Int32
    private let answer: @Sendable (Int) -> Answer
    private let state = Mutex((requests: [Received](), connections: 0, stopped: false))

    var url: String { "http://127.0.0.1:\(port)" }
    /// The complete requests received.
    var requests: [Received] { state.withLock { $0.requests } }
    /// Every connection accepted, a complete request or not.
    var connections: Int { state.withLock { $0.connections } }

    init(answer: @escaping @Sendable (Int) -> Answer) throws {
        let (fd, port) = try boundLoopbackSocket(reuseAddress: true)
        guard listen(fd, 16) == 0 else {
            close(fd)
            throw ReelLaunchError(description: "listen: errno \(errno)")
        }
        self.port = port
        listener = fd
        self.answer = answer
        Thread { [self] in self.serve() }.start()
    }

    /// Answers every request with `body` as JSON and HTTP `status`.
    convenience init(status: Int = 200, body: String) throws {
        try self.init { _ in Answer(status: "\(status) Status", body: body) }
    }

    /// An upstream answering `code` (for example 5003, server busy) to every query.
    static func envelope(code: String, message: String) throws -> LoopbackStub {
        try LoopbackStub(body: #"{"code":"\#(code)","message":"\#(message)","result":null}"#)
    }

    /// A receiver that answers 500 to the first `failFirst` requests, 200 afterwards.
    static func receiver(failFirst: Int = 0) throws -> LoopbackStub {
        try LoopbackStub { n in
            Answer(status: n <= failFirst ? "500 Internal Server Error" : "200 OK", body: "ok", contentType: "text/plain")
        }
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
            state.withLock { $0.connections += 1 }
            var time = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
            if let request = read(connection) {
                let count = state.withLock { state -> Int in
                    state.requests.append(request)
                    return state.requests.count
                }
                let reply = answer(count)
                let payload = Array(reply.body.utf8)
                let bytes = Array(("HTTP/1.1 \(reply.status)\r\nContent-Type: \(reply.contentType)\r\n"
                    + "Content-Length: \(payload.count)\r\nConnection: close\r\n\r\n").utf8) + payload
                _ = bytes.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            }
            close(connection)
        }
    }

    /// Reads one request: the head, then `Content-Length` bytes of body.
    private func read(_ connection: Int32) -> Received? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headEnd: Range<Int>?
        var length = 0
        while true {
            if headEnd == nil, let end = data.firstRange(of: Array("\r\n\r\n".utf8)) {
                headEnd = end
                let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
                for line in head.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let end = headEnd, data.count - end.upperBound >= length {
                return Received(head: String(decoding: data[..<end.lowerBound], as: UTF8.self),
                                body: Data(data[end.upperBound..<end.upperBound + length]))
            }
            let n = Glibc.read(connection, &buffer, buffer.count)
            if n <= 0 { return nil }
            data += buffer[0..<n]
        }
    }
}
