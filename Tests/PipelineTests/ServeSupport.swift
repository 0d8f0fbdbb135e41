import Catalog
import Foundation
import Testing
import TopView

/// A running `reel serve` on 127.0.0.1 (both listeners on ephemeral ports) over a bench's sandbox and storage.
struct ServeProcess: Sendable {
    let process: ReelProcess
    let callbackPort: Int
    let adminPort: Int
    let secret: String

    /// The callback path with the right secret.
    var callbackPath: String { "/callbacks/topview/\(secret)" }

    static let defaultSecret = "serve-secret-0123456789"

    /// The arguments every test server gets: its own storage, loopback ports, a one-rung ladder.
    static func arguments(_ bench: ReelBench) -> [String] {
        ["serve", "--storage", bench.storage.path, "--callback-bind", "127.0.0.1:0", "--bind", "127.0.0.1:0", "--preset", "240p"]
    }

    /// Starts `reel serve` and waits for the line that names both bound ports.
    static func start(_ bench: ReelBench, secret: String = defaultSecret, environment changes: [String: String?] = [:],
                      extraArguments: [String] = [], launcher: [String] = []) async throws -> ServeProcess {
        var changes = changes
        if changes["REEL_CALLBACK_SECRET"] == nil { changes["REEL_CALLBACK_SECRET"] = secret }
        if changes["REEL_WATCH_INTERVAL"] == nil { changes["REEL_WATCH_INTERVAL"] = "1" }
        if changes["REEL_LOG_LEVEL"] == nil { changes["REEL_LOG_LEVEL"] = "info" }
        let process = try ReelProcess.start(arguments(bench) + extraArguments, environment: bench.environment(changes),
                                            launcher: launcher)
        let listening = await process.waitForStderr(containing: "reel serve: callbacks on", timeout: .seconds(60))
        guard listening, let ports = parsePorts(process.stderrSoFar) else {
            process.kill(SIGKILL)
            let result = try await process.wait(timeout: .seconds(10))
            throw ReelLaunchError(description: "reel serve did not report its ports: \(result)")
        }
        return ServeProcess(process: process, callbackPort: ports.callback, adminPort: ports.admin, secret: secret)
    }

    /// Reads `reel serve: callbacks on http://HOST:PORT/…, admin on http://HOST:PORT/`.
    static func parsePorts(_ stderr: String) -> (callback: Int, admin: Int)? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("reel serve: callbacks on http://") }) else { return nil }
        func port(after marker: String) -> Int? {
            guard let range = line.range(of: marker) else { return nil }
            let hostPort = line[range.upperBound...].prefix { $0 != "/" }
            return hostPort.split(separator: ":").last.flatMap { Int($0) }
        }
        guard let callback = port(after: "callbacks on http://"), let admin = port(after: "admin on http://") else { return nil }
        return (callback, admin)
    }

    /// Sends `signal` and waits for the end (SIGKILL and a recorded issue after `timeout`). The service bounds its own
    /// graceful stop at 20 s; the default leaves room for a CI machine whose disk stalls a process for seconds.
    func stop(_ signal: Int32 = SIGTERM, timeout: Duration = .seconds(60)) async throws -> ReelResult {
        process.kill(signal)
        return try await process.wait(timeout: timeout)
    }

    // MARK: - Requests

    func admin(_ method: String = "GET", _ target: String, headers: [(String, String)] = [], body: Data = Data()) async throws -> HTTPReply {
        try await LoopbackHTTP.send(port: adminPort, method: method, target: target, headers: headers, body: body)
    }

    func callbackListener(_ method: String, _ target: String, headers: [(String, String)] = [], body: Data = Data()) async throws -> HTTPReply {
        try await LoopbackHTTP.send(port: callbackPort, method: method, target: target, headers: headers, body: body)
    }

    /// POSTs a callback body to the right secret path.
    func callback(_ body: Data, uid: String? = "uid-tests", secret: String? = nil) async throws -> HTTPReply {
        var headers = [("Content-Type", "application/json")]
        if let uid { headers.append(("Topview-Uid", uid)) }
        return try await callbackListener("POST", "/callbacks/topview/\(secret ?? self.secret)", headers: headers, body: body)
    }

    /// `GET /api/tasks/{task}` parsed, or nil while the task is not in the catalog.
    func task(_ task: String, headers: [(String, String)] = []) async throws -> JSONValue? {
        let reply = try await admin("GET", "/api/tasks/\(task)", headers: headers)
        guard reply.status == 200 else { return nil }
        return try JSONValue.parse(Array(reply.body))
    }

    /// Polls `GET /api/tasks/{task}` until `done` holds for its document; fails the test after `timeout`.
    @discardableResult
    func waitForTask(_ task: String, timeout: Duration = .seconds(180), headers: [(String, String)] = [],
                     sourceLocation: SourceLocation = #_sourceLocation,
                     until done: (JSONValue) -> Bool = ServeProcess.previewAndExportArchived) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        var last: JSONValue?
        while ContinuousClock.now < deadline {
            if let document = try await self.task(task, headers: headers) {
                last = document
                if done(document) { return document }
            }
            guard process.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("task \(task) did not reach the expected state within \(timeout); last document: \(String(describing: last))\n\(process.stderrSoFar.suffix(3000))",
                     sourceLocation: sourceLocation)
        throw ServeTestError(description: "task \(task) not archived")
    }

    /// A task document whose preview and export of script 0 are both archived (what a settled `ready` task
    /// gives). Not "every asset listed is archived": the manifest lists an item only once its turn has come.
    static func previewAndExportArchived(_ document: JSONValue) -> Bool {
        let states = states(document)
        return states["0-preview"] == "archived" && states["0-export"] == "archived"
    }

    /// `"<scriptId>-<role>"` → state of each asset of a task document.
    static func states(_ document: JSONValue) -> [String: String] {
        var states: [String: String] = [:]
        for asset in document["assets"]?.arrayValue ?? [] {
            let key = "\(asset["scriptId"]?.lenientString ?? "?")-\(asset["role"]?.stringValue ?? "?")"
            states[key] = asset["state"]?.stringValue
        }
        return states
    }

    /// `/metrics`, parsed and checked as Prometheus text.
    func metrics() async throws -> PrometheusText {
        let reply = try await admin("GET", "/metrics")
        try #require(reply.status == 200, "\(reply)")
        return try PrometheusText(parsing: String(decoding: reply.body, as: UTF8.self))
    }
}

struct ServeTestError: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body` with a bench (sandbox, storage) and a `reel serve` on it; the server is always stopped (SIGTERM)
/// afterwards, must exit 0, and must never have printed the API key or the callback secret.
func withServe<T>(environment: [String: String?] = [:], extraArguments: [String] = [],
                  _ body: (ReelBench, ServeProcess) async throws -> T) async throws -> T {
    try await withBench { bench in
        try await withServeProcess(bench, environment: environment, extraArguments: extraArguments) { serve in
            let result = try await body(bench, serve)
            let stopped = try await serve.stop().checkedForKey(bench.apiKey)
            #expect(stopped.status == 0 && !stopped.killedBySignal, "\(stopped)")
            #expect(stopped.stderr.contains("reel serve: stopped after "), "one line when it stops: \(stopped)")
            #expect(!stopped.stderr.contains(serve.secret), "the callback secret is in the log")
            return result
        }
    }
}

/// Starts `reel serve` on `bench` for `body`, which stops it; if `body` throws or forgets, the server is killed
/// (and its output recorded) so that no test leaves a process behind.
func withServeProcess<T>(_ bench: ReelBench, environment: [String: String?] = [:], extraArguments: [String] = [],
                         _ body: (ServeProcess) async throws -> T) async throws -> T {
    let serve = try await ServeProcess.start(bench, environment: environment, extraArguments: extraArguments)
    do {
        let value = try await body(serve)
        if serve.process.process.isRunning {
            let result = try await serve.stop(SIGKILL)
            Issue.record("the test left reel serve running: \(result)")
        }
        return value
    } catch {
        if serve.process.process.isRunning, let result = try? await serve.stop(SIGKILL) {
            Issue.record("reel serve output: \(result)")
        }
        throw error
    }
}

/// A callback body as TopView documents it.
func callbackBody(uuid: String = UUID().uuidString, bizType: String? = "M2V_EXPORT", taskId: String, status: String = "success",
                  resultAsString: Bool = false) -> Data {
    let result: Any = ["taskId": taskId, "status": status, "errorMsg": NSNull(), "previewVideos": [], "exportVideos": []] as [String: Any]
    var body: [String: Any] = ["uuid": uuid, "taskId": taskId, "status": status, "errorMsg": ""]
    if let bizType { body["bizType"] = bizType }
    if resultAsString {
        body["result"] = String(decoding: try! JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self)
    } else {
        body["result"] = result
    }
    return try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
}

extension ReelBench {
    /// `reel jobs ls --json`, parsed.
    func jobs() async throws -> [JSONValue] {
        let result = try await reel("jobs", "ls", "--json")
        try #require(result.status == 0, "\(result)")
        return try #require(try JSONValue.parse(Array(result.stdout.utf8)).arrayValue)
    }

    /// Every file under a task's directory (relative to the storage root), hidden ones included.
    func files(ofTask task: String) -> [String] {
        snapshot().keys.filter { $0.split(separator: "/").dropFirst(2).first.map(String.init) == task }.sorted()
    }

    /// Files of a task that its manifest does not account for (anything but the manifest, the lock and the
    /// files the manifest lists): a half-written, orphaned or duplicate file.
    func unaccountedFiles(ofTask task: String, manifest: TaskManifest) -> [String] {
        var listed: Set<String> = []
        for asset in manifest.assets {
            for file in [asset.source, asset.cover].compactMap({ $0 }) { listed.insert(file.path) }
            for image in [asset.poster].compactMap({ $0 }) + asset.thumbnails { listed.insert(image.path) }
            if let board = asset.storyboard { listed.formUnion([board.sprite, board.vtt]) }
            for rendition in asset.renditions { listed.insert(rendition.path) }
        }
        return files(ofTask: task).filter { path in
            !listed.contains(path) && !path.hasSuffix("/manifest.json") && !path.hasSuffix("/.lock")
        }
    }
}
