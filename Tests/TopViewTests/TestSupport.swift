import AsyncHTTPClient
import Logging
import Synchronization
import Testing
import TopView

let testKey = "sk-test-SECRET-0123456789"
let testUid = "uid-42"

/// The M2V example from the vendor's documentation fragment.
let fragmentExample = #"""
{
"code": "200",
"message": "Success",
"result": {
"taskId": "0d3a303bfc1f4f0e9a287ba47dbbefbc",
"status": "success",
"errorMsg": null,
"exportVideos": [
{
"scriptId": 0,
"status": null,
"title": null,
"description": null,
"videoUrl": null,
"coverUrl": null,
"videoDuration": null
}
],
"previewVideos": [
{
"scriptId": 0,
"status": "success",
"title": null,
"description": null,
"videoUrl": "https://aigc.s3.amazonaws.com/analyzed_video/task/export/487a84446461405088b751861d497dfd_topview.ai.mp4",
"coverUrl": "https://aigc.s3.amazonaws.com/analyzed_video/task/export/487a84446461405088b751861d497dfd.jpg",
"videoDuration": 36096000
}
]
}
}
"""#

let fragmentTaskId = "0d3a303bfc1f4f0e9a287ba47dbbefbc"

/// A log handler that keeps every record, to check what the client logs.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])

    var records: [Record] { storage.withLock { $0 } }

    func append(_ record: Record) { storage.withLock { $0.append(record) } }

    func logger() -> Logger {
        var logger = Logger(label: "topview.test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            event.metadata?.forEach { merged[$0.key] = $0.value }
            capture.append(Record(
                level: event.level,
                message: event.message.description,
                metadata: merged.mapValues { "\($0)" }
            ))
        }
    }
}

func makeClient(
    _ server: LoopbackServer,
    retry: RetryPolicy = .none,
    apiKey: String? = testKey,
    uid: String? = testUid,
    requestTimeout: Duration = .seconds(30),
    maxBodyBytes: Int = 4 * 1024 * 1024,
    logger: Logger = Logger(label: "topview.test", factory: { _ in SwiftLogNoOpLogHandler() })
) -> TopViewClient {
    makeClient(
        baseURL: server.baseURL, retry: retry, apiKey: apiKey, uid: uid,
        requestTimeout: requestTimeout, maxBodyBytes: maxBodyBytes, logger: logger
    )
}

func makeClient(
    baseURL: String,
    retry: RetryPolicy = .none,
    apiKey: String? = testKey,
    uid: String? = testUid,
    requestTimeout: Duration = .seconds(30),
    maxBodyBytes: Int = 4 * 1024 * 1024,
    logger: Logger = Logger(label: "topview.test", factory: { _ in SwiftLogNoOpLogHandler() })
) -> TopViewClient {
    // The fast policy's 10 s budget is for demos; on a loaded CI machine a few loopback round trips can eat it,
    // which would turn attempt-count checks into timing checks. Tests that test the budget set their own.
    var retry = retry
    if retry == .fast { retry.totalBudget = .seconds(120) }
    let configuration = TopViewConfiguration(
        baseURL: baseURL, apiKey: apiKey, uid: uid,
        requestTimeout: requestTimeout, maxBodyBytes: maxBodyBytes, retry: retry
    )
    return TopViewClient(httpClient: .shared, configuration: configuration, logger: logger)
}

/// Runs `body` and returns the `TopViewError` it threw; records an issue when it succeeds.
func expectTopViewError(
    _ body: () async throws -> TaskSnapshot
) async -> TopViewError? {
    do {
        let snapshot = try await body()
        Issue.record("expected an error, got \(snapshot)")
        return nil
    } catch let error as TopViewError {
        return error
    } catch {
        Issue.record("expected a TopViewError, got \(error)")
        return nil
    }
}
