import Foundation
import Hummingbird
import Logging

/// `GET /media/NAME` (a plain file) and `GET /media/TASK/ROLE-SCRIPT.mp4|jpg` (a task's video or cover, with the
/// task scenario's faults): `Range`, `If-Range`, `ETag`, `Last-Modified`, and an S3-like 403 once `Expires` is past.
struct MediaRoutes: Sendable {
    let directory: URL
    let state: ScenarioState
    let logger: Logger

    func add(to router: Router<BasicRequestContext>) {
        router.get("/media/:name") { request, context in
            let name = try context.parameters.require("name")
            guard let file = MediaFile(directory: self.directory, name: name) else { throw HTTPError(.notFound) }
            return try await self.serve(request, file: file, fault: .none, taskId: nil)
        }
        router.get("/media/:name/:asset") { request, context in
            let taskId = try context.parameters.require("name").removingPercentEncoding ?? ""
            let asset = try context.parameters.require("asset")
            let scenario = Scenario(taskId: taskId)
            let name: String
            var fault = Scenario.Fault.none
            if asset.hasSuffix(".jpg") {
                name = scenario.coverFile
            } else if let other = ["png": "picture.png", "webp": "picture.webp", "m4a": "voice.m4a", "svg": "page.svg"][(asset as NSString).pathExtension] {
                name = other
            } else if asset.hasSuffix(".mp4") {
                let fetch = await self.state.nextFetch("\(taskId)/\(asset)")
                name = scenario.videoFile(fetch: fetch)
                fault = scenario.videoFault(fetch: fetch)
            } else {
                throw HTTPError(.notFound)
            }
            guard let file = MediaFile(directory: self.directory, name: name) else { throw HTTPError(.notFound) }
            return try await self.serve(request, file: file, fault: fault, taskId: taskId)
        }
    }

    private func serve(_ request: Request, file: MediaFile, fault: Scenario.Fault, taskId: String?) async throws -> Response {
        let rangeHeader = request.headers[.range]
        let ifRange = request.headers[.init("If-Range")!]
        func record(_ status: HTTPResponse.Status, _ fault: String? = nil) async {
            guard let taskId else { return }
            await state.record(taskId, .init(path: request.uri.path, range: rangeHeader, ifRange: ifRange, status: status.code, file: file.path.split(separator: "/").last.map(String.init) ?? "", fault: fault))
        }

        if let expires = request.uri.queryParameters.get("Expires").flatMap({ Int($0) }), expires < Int(Date().timeIntervalSince1970) {
            await record(.forbidden)
            let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>\n"
            return Response(status: .forbidden, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: xml)))
        }

        var headers: HTTPFields = [
            .acceptRanges: "bytes", .eTag: file.etag, .lastModified: file.lastModified, .contentType: file.contentType,
        ]
        var status = HTTPResponse.Status.ok
        var span = 0...(file.size - 1)
        // If-Range: a Range is honoured only when the validator still names this file; otherwise the whole file.
        if let rangeHeader, ifRange == nil || ifRange == file.etag || ifRange == file.lastModified {
            switch ByteRange(header: rangeHeader, size: file.size) {
            case .range(let range):
                status = .partialContent
                span = range
                headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(file.size)"
            case .unsatisfiable:
                await record(.rangeNotSatisfiable)
                headers[.contentRange] = "bytes */\(file.size)"
                headers[.contentLength] = "0"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .ignored:
                break
            }
        }

        let length = span.count
        var sendLength = length
        var faultName: String?
        switch fault {
        case .none:
            headers[.contentLength] = String(length)
        case .cut(let fraction):
            headers[.contentLength] = String(length)
            sendLength = Int(Double(length) * fraction)
            faultName = "cut after \(sendLength) bytes"
        case .overstatedLength(let extra):
            headers[.contentLength] = String(length + extra)
            faultName = "announced \(length + extra) bytes, sent \(length)"
        case .stall(let fraction, _):
            headers[.contentLength] = String(length)
            sendLength = Int(Double(length) * fraction)
            faultName = "stalled after \(sendLength) bytes"
        case .trickle:
            headers[.contentLength] = String(length)
        }
        var pause: Duration = .zero
        var chunk = 64 * 1024
        var stallFor: Duration = .milliseconds(100)
        switch fault {
        case .stall(_, let seconds): stallFor = .milliseconds(Int64(seconds * 1000))
        case .trickle(let size, let delayMs): chunk = size; pause = .milliseconds(delayMs)
        default: break
        }
        await record(status, faultName)
        let path = file.path
        let count = sendLength
        let start = span.lowerBound
        let dropsConnection = faultName != nil
        let logger = self.logger
        let (chunkSize, pauseBetween, silence) = (chunk, pause, stallFor)
        return Response(status: status, headers: headers, body: ResponseBody { writer in
            try await Self.stream(path: path, offset: start, count: count, chunk: chunkSize, pause: pauseBetween, to: &writer)
            if dropsConnection {
                // Give the bytes time to leave (or stall), then fail the response: Hummingbird closes the connection.
                try await Task.sleep(for: silence)
                logger.info("dropping connection", metadata: ["media.path": "\(path)", "media.sent": "\(count)"])
                throw SandboxError("connection dropped on purpose")
            }
            try await writer.finish(nil)
        })
    }

    private static func stream(path: String, offset: Int, count: Int, chunk size: Int, pause: Duration,
                               to writer: inout any ResponseBodyWriter) async throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw HTTPError(.notFound) }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        var remaining = count
        while remaining > 0 {
            guard let chunk = try handle.read(upToCount: min(remaining, size)), !chunk.isEmpty else { break }
            remaining -= chunk.count
            try await writer.write(ByteBuffer(bytes: chunk))
            if pause > .zero { try await Task.sleep(for: pause) }
        }
    }
}
