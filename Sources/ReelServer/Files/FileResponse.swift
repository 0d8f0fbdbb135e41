import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// The response for an opened catalog file: ranges (RFC 9110 §14: single, suffix, clipped, several as
/// `multipart/byteranges`, 416 with `bytes */SIZE`), `If-Range`, `If-None-Match`, validators, content type,
/// `nosniff`. The body streams from the opened descriptor in chunks read on NIO's thread pool.
struct FileResponse {
    let file: any ServedContent
    let contentType: String

    static let chunkBytes = 256 << 10

    func response(for request: Request) -> Response {
        var headers = HTTPFields()
        headers[.acceptRanges] = "bytes"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.eTag] = file.etag
        headers[.lastModified] = HTTPDate.format(seconds: file.modifiedSeconds)
        headers[.cacheControl] = "no-cache"
        if let match = request.headers[.ifNoneMatch], Self.etagList(match, contains: file.etag) {
            return Response(status: .notModified, headers: headers)
        }
        var rangeHeader = request.headers[.range]
        if let condition = request.headers[.ifRange], condition != file.etag,
           condition != headers[.lastModified] {
            rangeHeader = nil // the client's copy is stale: send the whole file
        }
        switch ByteRangeRequest(header: rangeHeader, size: file.size) {
        case .whole:
            headers[.contentType] = contentType
            return Response(status: .ok, headers: headers, body: body([(0, file.size)]))
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(file.size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .ranges(let ranges) where ranges.count == 1:
            let r = ranges[0]
            headers[.contentType] = contentType
            headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound)/\(file.size)"
            return Response(status: .partialContent, headers: headers,
                            body: body([(r.lowerBound, r.upperBound - r.lowerBound + 1)]))
        case .ranges(let ranges):
            let boundary = "reelvault-" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            headers[.contentType] = "multipart/byteranges; boundary=\(boundary)"
            return Response(status: .partialContent, headers: headers, body: multipart(ranges, boundary: boundary))
        }
    }

    /// Streams `(offset, length)` pieces of the file, with optional literal bytes before each and after all.
    private func body(_ pieces: [(Int64, Int64)], prefixes: [[UInt8]] = [], suffix: [UInt8] = []) -> ResponseBody {
        let total = pieces.reduce(Int64(0)) { $0 + $1.1 } + Int64(prefixes.reduce(0) { $0 + $1.count } + suffix.count)
        let file = self.file
        return ResponseBody(contentLength: Int(total)) { writer in
            for (index, (offset, length)) in pieces.enumerated() {
                if index < prefixes.count { try await writer.write(ByteBuffer(bytes: prefixes[index])) }
                try await file.read(offset: offset, length: length) { try await writer.write($0) }
            }
            if !suffix.isEmpty { try await writer.write(ByteBuffer(bytes: suffix)) }
            try await writer.finish(nil)
        }
    }

    private func multipart(_ ranges: [ClosedRange<Int64>], boundary: String) -> ResponseBody {
        let prefixes = ranges.enumerated().map { index, r in
            Array(((index == 0 ? "" : "\r\n") + "--\(boundary)\r\nContent-Type: \(contentType)\r\n"
                + "Content-Range: bytes \(r.lowerBound)-\(r.upperBound)/\(file.size)\r\n\r\n").utf8)
        }
        return body(ranges.map { ($0.lowerBound, $0.upperBound - $0.lowerBound + 1) }, prefixes: prefixes,
                    suffix: Array("\r\n--\(boundary)--\r\n".utf8))
    }

    /// `If-None-Match: *` or a list of entity tags (weak comparison, as RFC 9110 §13.1.2 asks).
    static func etagList(_ header: String, contains etag: String) -> Bool {
        if header[...].trimmingASCIISpaces() == "*" { return true }
        return header.split(separator: ",").contains { tag in
            var t = tag.trimmingASCIISpaces()
            if t.hasPrefix("W/") { t = t.dropFirst(2) }
            return t == etag
        }
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}

/// IMF-fixdate, as HTTP wants dates (`Sun, 06 Nov 1994 08:49:37 GMT`).
enum HTTPDate {
    static func format(seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
