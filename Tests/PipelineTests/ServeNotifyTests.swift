import Catalog
import Foundation
import Synchronization
import Testing
import TopView
#if canImport(Glibc)
import Glibc
#endif

/// `reel serve` tells the next system in line: the archived task's `show --json` document is POSTed to
/// `REEL_NOTIFY_URL` (retried) and piped into `REEL_NOTIFY_COMMAND`.
@Suite("reel serve: notifications")
struct ServeNotifyTests {
    @Test func anArchivedTaskIsPostedToTheURLAndPipedIntoTheCommand() async throws {
        let receiver = try NotifyReceiver(failFirst: 1)
        defer { receiver.stop() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-notify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let command = #"cat > "$NOTIFY_DIR/$REEL_TASK_ID.json" && env > "$NOTIFY_DIR/$REEL_TASK_ID.env""#
        try await withServe(environment: ["REEL_NOTIFY_URL": "\(receiver.url)/hooks/archived", "REEL_NOTIFY_COMMAND": command,
                                          "NOTIFY_DIR": scratch.path]) { bench, serve in
            let task = taskId("ready")
            let reply = try await serve.callback(callbackBody(taskId: task))
            #expect(reply.status == 200, "\(reply)")
            try await serve.waitForTask(task)
            let show = try await bench.reel("show", task, "--json")
            try #require(show.status == 0, "\(show)")

            // The URL: refused once (500), then accepted on the retry; the same document both times.
            let deadline = ContinuousClock.now + .seconds(120)
            while receiver.requests.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            let requests = receiver.requests
            #expect(requests.count == 2, "\(requests.map(\.head))\n\(serve.process.stderrSoFar)")
            for request in requests {
                #expect(request.head.hasPrefix("POST /hooks/archived HTTP/1.1"), "\(request.head)")
                #expect(request.head.lowercased().contains("content-type: application/json"), "\(request.head)")
                #expect(String(decoding: request.body, as: UTF8.self) == show.stdout, "\(serve.process.stderrSoFar)")
            }

            // The command: the document on stdin, the task id in the environment, no secrets.
            let written = scratch.appendingPathComponent("\(task).json")
            while !FileManager.default.fileExists(atPath: written.path), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect((try? String(contentsOf: written, encoding: .utf8)) == show.stdout)
            let environment = (try? String(contentsOf: scratch.appendingPathComponent("\(task).env"), encoding: .utf8)) ?? ""
            #expect(environment.contains("REEL_TASK_ID=\(task)"))
            #expect(!environment.contains(bench.apiKey) && !environment.contains(serve.secret), "secrets leak into the command")

            // A duplicate callback after the archive re-queries the task but has nothing new to tell.
            _ = try await serve.callback(callbackBody(taskId: task))
            try await waitForQueueToSettle(bench)
            try await Task.sleep(for: .seconds(1))
            #expect(receiver.requests.count == 2)
        }
    }
}

/// A loopback HTTP receiver that keeps every request (head and body) and answers 500 to the first `failFirst`
/// ones, 200 afterwards. Blocking sockets on a thread of its own.
final class NotifyReceiver: Sendable {
    struct Received: Sendable {
        let head: String
        let body: Data
    }

    let port: Int
    private let listener: Int32
    private let failFirst: Int
    private let state = Mutex((requests: [Received](), stopped: false))

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [Received] { state.withLock { $0.requests } }

    init(failFirst: Int = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackHTTPError(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw LoopbackHTTPError(description: "bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        self.failFirst = failFirst
        Thread { [self] in self.serve() }.start()
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
            var time = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
            if let request = read(connection) {
                let count = state.withLock { state -> Int in
                    state.requests.append(request)
                    return state.requests.count
                }
                let status = count <= failFirst ? "500 Internal Server Error" : "200 OK"
                let answer = Array("HTTP/1.1 \(status)\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".utf8)
                _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
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
