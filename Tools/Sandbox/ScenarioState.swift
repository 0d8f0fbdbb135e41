import Foundation

/// Per-task state of the sandbox: poll counters, media fetch counters, signatures handed out and a log of the
/// media requests (tests read it through `GET /_sandbox/requests?taskId=`).
actor ScenarioState {
    struct MediaRequest: Codable, Sendable {
        let path: String
        let range: String?
        let ifRange: String?
        let status: Int
        let file: String
        let fault: String?
    }

    private var polls: [String: Int] = [:]
    private var fetches: [String: Int] = [:]
    private var signatures: [String: Int] = [:]
    private var log: [String: [MediaRequest]] = [:]

    /// Counts a query of the task; the first poll is 1.
    func nextPoll(_ taskId: String) -> Int {
        polls[taskId, default: 0] += 1
        return polls[taskId]!
    }

    /// Counts a GET of one asset URL; the first is 1.
    func nextFetch(_ key: String) -> Int {
        fetches[key, default: 0] += 1
        return fetches[key]!
    }

    /// Counts the signed URL sets handed out for a task; the first is 1.
    func nextSignature(_ taskId: String) -> Int {
        signatures[taskId, default: 0] += 1
        return signatures[taskId]!
    }

    func record(_ taskId: String, _ request: MediaRequest) {
        log[taskId, default: []].append(request)
    }

    func requests(_ taskId: String) -> [MediaRequest] {
        log[taskId] ?? []
    }
}
