import AsyncHTTPClient
import Logging

/// Queries TopView tasks over HTTP.
///
/// The caller owns the `HTTPClient` (and shuts it down). Every request carries
/// `Authorization: Bearer <key>`, `Topview-Uid` when a uid is configured, and `Accept: application/json`.
/// The key is never logged and never appears in an error.
public struct TopViewClient: Sendable {
    public let configuration: TopViewConfiguration
    let httpClient: HTTPClient
    let logger: Logger

    public init(httpClient: HTTPClient, configuration: TopViewConfiguration, logger: Logger) {
        self.httpClient = httpClient
        self.configuration = configuration
        self.logger = logger
    }

    /// Queries a task, retrying transient failures as ``TopViewConfiguration/retry`` says.
    ///
    /// Throws at once for permanent, not-found and credentials errors; throws an error equal to
    /// ``TopViewError/exhausted`` when transient failures outlast the policy.
    public func query(kind: any TaskKind.Type, taskId: String) async throws(TopViewError) -> TaskSnapshot {
        try await withRetries(taskId: taskId, kind: kind.name) { (timeout: Duration) async throws(TopViewError) -> TaskSnapshot in
            try await queryOnce(kind: kind, taskId: taskId, timeout: timeout)
        }
    }

    /// Queries a task with a single request, no retries.
    public func queryOnce(kind: any TaskKind.Type, taskId: String) async throws(TopViewError) -> TaskSnapshot {
        try await queryOnce(kind: kind, taskId: taskId, timeout: configuration.requestTimeout)
    }

    func queryOnce(kind: any TaskKind.Type, taskId: String, timeout: Duration) async throws(TopViewError) -> TaskSnapshot {
        let result = try await getResult(path: kind.queryPath, query: [("taskId", taskId)], timeout: timeout)
        let snapshot = try kind.snapshot(from: result)
        guard snapshot.taskId == taskId else {
            throw .invalidResult("asked for task \(taskId), the answer is about task \(snapshot.taskId)")
        }
        return snapshot
    }

    /// One `GET {baseURL}{path}?{query}`: checks the envelope and returns its `result` (`.null` when absent).
    public func getResult(path: String, query: [(String, String)]) async throws(TopViewError) -> JSONValue {
        try await getResult(path: path, query: query, timeout: configuration.requestTimeout)
    }

    func getResult(path: String, query: [(String, String)], timeout: Duration) async throws(TopViewError) -> JSONValue {
        let request = try makeRequest(path: path, query: query)
        let answer = try await send(request, timeout: timeout)
        return try ResponseClassifier.result(status: answer.status, body: answer.body, apiKey: configuration.apiKey)
    }
}
