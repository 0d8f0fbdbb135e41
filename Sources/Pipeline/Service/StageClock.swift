import Catalog
import Foundation
import Metrics
import Synchronization

/// What `/metrics` shows about the work of the service, recorded through swift-metrics (besides `reel_jobs{state}`
/// and `reel_queue_depth`, which the worker pool refreshes every few seconds, and `reel_callbacks_total{result}`):
///
/// - `reel_stage_seconds{stage}` (histogram): query, download, process (verify, stills, renditions), commit;
/// - `reel_verifications_total{verdict}`: assets verified by a job, by verdict;
/// - `reel_bytes_downloaded_total`: source and cover bytes a job brought into the catalog;
/// - `reel_upstream_errors_total{code}`: TopView errors (API code, `http_<status>` or `transport`) seen by the
///   feeder and by jobs.
public enum JobMetrics {
    public static let stages = ["query", "download", "process", "commit"]
    public static let verdicts = ["match", "mismatch", "unreported", "undecodable"]

    /// Creates the series that exist before anything happened, at 0, so that dashboards and scrapers see every
    /// family from the first scrape.
    public static func registerSeries() {
        for stage in stages { _ = Timer(label: "reel_stage_seconds", dimensions: [("stage", stage)]) }
        for verdict in verdicts { Counter(label: "reel_verifications_total", dimensions: [("verdict", verdict)]).increment(by: 0) }
        Counter(label: "reel_bytes_downloaded_total").increment(by: 0)
        // The queue gauges, until the worker pool's first count a moment later.
        for state in JobState.allCases { Gauge(label: "reel_jobs", dimensions: [("state", state.rawValue)]).record(0) }
        Gauge(label: "reel_queue_depth").record(0)
    }

    /// Records one finished job: its stage timings, and what changed between the manifest before and after.
    static func record(stages: [(stage: String, duration: Duration)], before: TaskManifest?, after: TaskManifest?,
                       outcome: ArchiveOutcome) {
        for (stage, duration) in stages {
            Timer(label: "reel_stage_seconds", dimensions: [("stage", stage)]).record(duration: duration)
        }
        var bytes: Int64 = 0
        let old = before?.assets ?? []
        for asset in after?.assets ?? [] {
            let previous = old.first { $0.scriptId == asset.scriptId && $0.role == asset.role }
            if let verdict = asset.verification?.verdict, asset.verification != previous?.verification {
                Counter(label: "reel_verifications_total", dimensions: [("verdict", verdict)]).increment()
            }
            if let source = asset.source, source != previous?.source { bytes += source.bytes }
            if let cover = asset.cover, cover != previous?.cover { bytes += cover.bytes }
        }
        if bytes > 0 { Counter(label: "reel_bytes_downloaded_total").increment(by: bytes) }
        if outcome.status != .ok, let code = outcome.upstreamCode ?? upstreamCode(in: outcome.message) {
            Counter(label: "reel_upstream_errors_total", dimensions: [("code", code)]).increment()
        }
    }

    /// The TopView error code an archive outcome's message names (the archiver keeps only the error's text):
    /// the API code (`4004`, `5003`), `http_<status>` for a non-envelope answer, `transport` for an unreachable API.
    static func upstreamCode(in message: String?) -> String? {
        guard let message, message.hasPrefix("TopView") else { return nil }
        for marker in ["answered code ", "last code "] {
            if let range = message.range(of: marker) {
                let code = message[range.upperBound...].prefix { $0.isLetter || $0.isNumber }
                if !code.isEmpty { return String(code) }
            }
        }
        if let range = message.range(of: "answered HTTP ") {
            let status = message[range.upperBound...].prefix(while: \.isNumber)
            if !status.isEmpty { return "http_\(status)" }
        }
        if message.contains("could not be reached") { return "transport" }
        return nil
    }
}

/// Turns an archive's events into stage durations. An item's stage lasts from its `.stage` event to the item's
/// next stage or its end; the query lasts from the first `.querying` to the first item stage (or the end).
final class StageClock: Sendable {
    private struct State {
        var open: [String: (stage: String, since: ContinuousClock.Instant)] = [:]
        var finished: [(stage: String, duration: Duration)] = []

        mutating func close(_ key: String, at now: ContinuousClock.Instant) {
            guard let (stage, since) = open.removeValue(forKey: key) else { return }
            finished.append((stage, now - since))
        }
    }

    private let state = Mutex(State())

    func observe(_ event: ArchiveEvent) {
        let now = ContinuousClock.now
        state.withLock { state in
            switch event {
            case .querying:
                if state.open["task"] == nil && state.finished.isEmpty { state.open["task"] = ("query", now) }
            case .stage(_, let scriptId, let role, let stage):
                state.close("task", at: now)
                let key = "\(scriptId)-\(role)"
                state.close(key, at: now)
                state.open[key] = (stage, now)
            case .assetDone(_, let scriptId, let role, _, _):
                state.close("\(scriptId)-\(role)", at: now)
            case .taskDone:
                for key in Array(state.open.keys) { state.close(key, at: now) }
            case .waiting, .progress:
                break
            }
        }
    }

    /// The stages that ended so far.
    var durations: [(stage: String, duration: Duration)] { state.withLock { $0.finished } }
}
