import Foundation
import Hummingbird

/// `GET /v1/m2v/task/query?taskId=ID` and the query of every other kind (``SandboxKind``): answered from the task's
/// scenario.
struct QueryRoutes: Sendable {
    let state: ScenarioState

    func add(to router: Router<BasicRequestContext>) {
        router.get("/v1/m2v/task/query") { request, _ in
            try await self.query(request, kind: nil)
        }
        for kind in SandboxKind.allCases {
            router.get(RouterPath(kind.queryPath)) { request, _ in
                try await self.query(request, kind: kind)
            }
        }
        // A redirect to `to` (which may be this same URL, for a loop), for the downloader's redirect checks.
        router.get("/_sandbox/redirect") { request, _ in
            let target = request.uri.queryParameters.get("to") ?? "/"
            return Response(status: .found, headers: [.location: target, .contentLength: "0"])
        }
        router.get("/_sandbox/requests") { request, _ in
            let taskId = request.uri.queryParameters.get("taskId") ?? ""
            let data = try JSONEncoder().encode(await self.state.requests(taskId))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    private func query(_ request: Request, kind: SandboxKind?) async throws -> Response {
        let bearer = request.headers[.authorization] ?? ""
        guard bearer.hasPrefix("Bearer "), !bearer.dropFirst(7).trimmingCharacters(in: .whitespaces).isEmpty else {
            return try envelope(code: "4002", message: "Request digital signature does not match!")
        }
        guard let taskId = request.uri.queryParameters.get("taskId"), !taskId.isEmpty else {
            return try envelope(code: "4003", message: "Required parameter cannot be null")
        }
        let scenario = Scenario(taskId: taskId)
        let poll = await state.nextPoll(taskId)
        let base = "http://\(request.head.authority ?? "127.0.0.1")"
        switch scenario {
        case .notfound: return try envelope(code: "4004", message: "Resource not found!")
        case .badkey: return try envelope(code: "4002", message: "Request digital signature does not match!")
        case .credit: return try envelope(code: "4100", message: "Credit not enough")
        case .html:
            let page = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"
            return Response(status: .badGateway, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: page)))
        case .busy where poll <= 2:
            return try envelope(code: "5003", message: "Server is busy, please try again later!")
        default:
            let generation = await state.nextSignature(taskId)
            let urls = SignedURLs(base: base, taskId: taskId, generation: generation)
            let answer = kind.map { $0.result(scenario, taskId: taskId, poll: poll, urls: urls) }
                ?? result(scenario, taskId: taskId, poll: poll, urls: urls)
            return try envelope(code: "200", message: "Success", result: answer)
        }
    }

    /// The `result` object of the scenario at this poll.
    private func result(_ scenario: Scenario, taskId: String, poll: Int, urls: SignedURLs) -> [String: Any] {
        var status = "success"
        var errorMsg: Any = NSNull()
        var previews = [item(scenario, 0, "preview", "success", urls)]
        var exports = [item(scenario, 0, "export", "success", urls)]
        switch scenario {
        case .demo:
            exports = [item(scenario, 0, "export", nil, urls)]
        case .progress where poll < 3:
            status = poll == 1 ? "init" : "running"
            previews = [item(scenario, 0, "preview", status, urls)]
            exports = [item(scenario, 0, "export", status, urls)]
        case .partial:
            previews.append(item(scenario, 1, "preview", "fail", urls))
            exports = [item(scenario, 0, "export", nil, urls)]
        case .late where poll < 3:
            exports = [item(scenario, 0, "export", nil, urls)]
        case .duplicate:
            previews.append(item(scenario, 0, "preview", "success", urls, asset: "preview-0-again"))
        case .failed:
            status = "fail"
            errorMsg = "Video generation failed: the product images could not be analysed"
            previews = [item(scenario, 0, "preview", "fail", urls)]
            exports = [item(scenario, 0, "export", nil, urls)]
        default:
            break
        }
        return [
            "taskId": taskId, "status": status, "errorMsg": errorMsg,
            "previewVideos": previews, "exportVideos": exports,
            "productName": "Sandbox \(scenario.rawValue)", "costCredit": 1,
        ]
    }

    /// One video item; only a `success` item carries URLs and a duration, as upstream does. Its files are
    /// `<asset>.mp4` and `<asset>.jpg`, `asset` defaulting to `<role>-<scriptId>`.
    private func item(_ scenario: Scenario, _ scriptId: Int, _ role: String, _ status: String?, _ urls: SignedURLs,
                      asset: String? = nil) -> [String: Any] {
        let ready = status == "success"
        let asset = asset ?? "\(role)-\(scriptId)"
        return [
            "scriptId": scriptId,
            "status": status ?? NSNull(),
            "title": ready ? "Sandbox \(scenario.rawValue) \(role) \(scriptId)" : NSNull(),
            "description": NSNull(),
            "videoUrl": ready ? urls.url(asset: "\(asset).mp4") : NSNull(),
            "coverUrl": ready ? urls.url(asset: "\(asset).jpg") : NSNull(),
            "videoDuration": ready ? scenario.reportedDurationUs : NSNull(),
        ]
    }

    private func envelope(code: String, message: String, result: [String: Any]? = nil) throws -> Response {
        let body: [String: Any] = ["code": code, "message": message, "result": result ?? NSNull()]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Fake S3-style signed URLs: the first set handed out for an `expiring` task is already expired.
struct SignedURLs {
    let base: String
    let taskId: String
    let generation: Int

    func url(asset: String) -> String {
        let expiring = Scenario(taskId: taskId) == .expiring && generation == 1
        let expires = Int(Date().timeIntervalSince1970) + (expiring ? -60 : 3600)
        let signature = String(UInt64(bitPattern: Int64("\(taskId)/\(asset)/\(generation)".hashValue)), radix: 16)
        let task = taskId.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_."))) ?? taskId
        return "\(base)/media/\(task)/\(asset)?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=\(signature)&Expires=\(expires)"
    }
}
