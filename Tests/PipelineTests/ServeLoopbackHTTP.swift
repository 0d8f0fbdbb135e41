import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP answer as received.
struct HTTPReply: Sendable, CustomStringConvertible {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: Data

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    var description: String { "HTTP \(status) \(headers.map { "\($0.name): \($0.value)" }) \(text.prefix(600))" }
}

/// A deliberately raw HTTP/1.1 client for 127.0.0.1: the request target goes out byte for byte (no URL type
/// normalises `..` or `%2e` away), one connection per request (`Connection: close`). Blocking sockets run on a
/// thread of their own, not on the cooperative pool.
enum LoopbackHTTP {
    static func send(port: Int, method: String, target: String, headers: [(String, String)] = [], body: Data = Data(),
                     timeout: TimeInterval = 30) async throws -> HTTPReply {
        // A thread of its own per exchange: many blocking exchanges at once on libdispatch's global queue make it grow
        // its worker pool without bound (and its manager thread was seen to crash under that load).
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try exchange(port: port, method: method, target: target, headers: headers, body: body, timeout: timeout) })
            }.start()
        }
    }

    private static func exchange(port: Int, method: String, target: String, headers: [(String, String)], body: Data,
                                 timeout: TimeInterval) throws -> HTTPReply {
        let connection = try RawSocket(port: port)
        defer { withExtendedLifetime(connection) {} } // the descriptor closes with it
        let fd = connection.fd
        var time = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))

        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try writeAll(fd, Data(head.utf8) + body)

        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                // The server may close after answering an over-long body it did not read (413): keep what came.
                if errno == ECONNRESET && !received.isEmpty { break }
                throw LoopbackHTTPError(description: "read: errno \(errno)")
            }
            if n == 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        return try parse(received, method: method)
    }

    private static func writeAll(_ fd: Int32, _ data: Data) throws {
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                // A server refusing a large body may close before reading it all; its answer is still readable.
                if errno == EPIPE || errno == ECONNRESET { return }
                throw LoopbackHTTPError(description: "write: errno \(errno)")
            }
            offset += n
        }
    }

    static func parse(_ data: Data, method: String) throws -> HTTPReply {
        let bytes = [UInt8](data)
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw LoopbackHTTPError(description: "no complete HTTP head in \(bytes.count) bytes: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw LoopbackHTTPError(description: "bad status line \(lines[0])")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(bytes[end.upperBound...])
        if method == "HEAD" { body = [] }
        let chunked = headers.contains { $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked") }
        if chunked { body = try dechunk(body) }
        if let length = headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value) }), !chunked,
           method != "HEAD", body.count > length {
            body = Array(body.prefix(length))
        }
        return HTTPReply(status: status, headers: headers, body: Data(body))
    }

    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw LoopbackHTTPError(description: "bad chunk size \(sizeText)")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= bytes.count else { throw LoopbackHTTPError(description: "truncated chunk") }
            result += bytes[start..<start + size]
            index = start + size + 2
        }
        return result
    }
}

struct LoopbackHTTPError: Error, CustomStringConvertible {
    let description: String
}
