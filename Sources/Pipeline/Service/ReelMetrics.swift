import Catalog
import CoreMetrics
import Metrics

/// Every metric `reel serve` exports, in one namespace, created once (after the metrics backend is bootstrapped, or
/// with the factory a test hands in) and shared by the worker pool, the feeder, the stage limits and the callback
/// listener. Families with known label values exist at 0 from the first scrape.
///
/// - `reel_jobs{state}`, `reel_queue_depth`: the queue, refreshed by the worker pool;
/// - `reel_job_seconds{status}`, `reel_jobs_finished_total{status}`: finished jobs by outcome;
/// - `reel_stage_seconds{stage}`: query, download, process (verify, stills, renditions), commit;
/// - `reel_stage_active{stage}`, `reel_stage_waiting{stage}`: the per-stage bounds (downloads, media);
/// - `reel_verifications_total{verdict}`, `reel_bytes_downloaded_total`;
/// - `reel_upstream_errors_total{code}`: TopView errors seen by the feeder and by jobs, labelled by one function
///   (``upstreamLabel(_:)``);
/// - `reel_callbacks_total{result}`: what became of the callbacks received;
/// - `reel_state_errors_total{store}`: a read or write of the service's own state that failed (`watch`: the watch list,
///   `queue`: the job queue, `catalog`: a manifest read around a job); each one is also logged with its task and job.
public struct ReelMetrics: Sendable {
    public static let stages = ["query", "download", "process", "commit"]
    public static let verdicts = ["match", "mismatch", "unreported", "undecodable"]
    public static let callbackResults = ["queued", "duplicate", "wrong_secret", "too_large", "malformed", "ignored"]
    public static let limitedStages = ["download", "media"]
    public static let jobStatuses: [ArchiveStatus] = [.ok, .attention, .usage, .notSettled, .unavailable]
    public static let stateStores = ["watch", "queue", "catalog"]

    let factory: any MetricsFactory
    private let stageSeconds: [String: Timer]
    private let verifications: [String: Counter]
    private let callbacks: [String: Counter]
    private let jobGauges: [JobState: Gauge]
    private let jobSeconds: [ArchiveStatus: Timer]
    private let jobsFinished: [ArchiveStatus: Counter]
    private let stageActive: [String: Gauge]
    private let stageWaiting: [String: Gauge]
    private let stateErrors: [String: Counter]
    let bytesDownloaded: Counter
    let queueDepth: Gauge
    /// Runs cancelled because another process took their job (this one was paused or cut off past its lease).
    let leasesLost: Counter
    let fencedWrites: Counter

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        func by<Key: Hashable, Metric>(_ keys: [Key], _ make: (Key) -> Metric) -> [Key: Metric] {
            Dictionary(uniqueKeysWithValues: keys.map { ($0, make($0)) })
        }
        stageSeconds = by(Self.stages) { Timer(label: "reel_stage_seconds", dimensions: [("stage", $0)], factory: factory) }
        verifications = by(Self.verdicts) { Counter(label: "reel_verifications_total", dimensions: [("verdict", $0)], factory: factory) }
        callbacks = by(Self.callbackResults) { Counter(label: "reel_callbacks_total", dimensions: [("result", $0)], factory: factory) }
        jobGauges = by(JobState.allCases) { Gauge(label: "reel_jobs", dimensions: [("state", $0.rawValue)], factory: factory) }
        jobSeconds = by(Self.jobStatuses) { Timer(label: "reel_job_seconds", dimensions: [("status", "\($0)")], factory: factory) }
        jobsFinished = by(Self.jobStatuses) { Counter(label: "reel_jobs_finished_total", dimensions: [("status", "\($0)")], factory: factory) }
        stageActive = by(Self.limitedStages) { Gauge(label: "reel_stage_active", dimensions: [("stage", $0)], factory: factory) }
        stageWaiting = by(Self.limitedStages) { Gauge(label: "reel_stage_waiting", dimensions: [("stage", $0)], factory: factory) }
        stateErrors = by(Self.stateStores) { Counter(label: "reel_state_errors_total", dimensions: [("store", $0)], factory: factory) }
        bytesDownloaded = Counter(label: "reel_bytes_downloaded_total", factory: factory)
        queueDepth = Gauge(label: "reel_queue_depth", factory: factory)
        leasesLost = Counter(label: "reel_leases_lost_total", factory: factory)
        fencedWrites = Counter(label: "reel_fenced_writes_total", factory: factory)
        for counter in Array(verifications.values) + Array(callbacks.values) + Array(jobsFinished.values)
            + Array(stateErrors.values) + [bytesDownloaded, leasesLost, fencedWrites] {
            counter.increment(by: 0)
        }
        for gauge in Array(jobGauges.values) + Array(stageActive.values) + Array(stageWaiting.values) + [queueDepth] {
            gauge.record(0)
        }
    }

    // MARK: Recording

    public func callback(_ result: String) {
        (callbacks[result] ?? Counter(label: "reel_callbacks_total", dimensions: [("result", result)], factory: factory)).increment()
    }

    public func upstreamError(_ label: String) {
        Counter(label: "reel_upstream_errors_total", dimensions: [("code", label)], factory: factory).increment()
    }

    /// A manifest write the store refused because another process took the task (``ManifestConflict``).
    public func fencedWrite() {
        fencedWrites.increment()
    }

    /// A failed read or write of the service's own state (``stateStores``); the caller logs it with its context.
    func stateError(_ store: String) {
        (stateErrors[store] ?? Counter(label: "reel_state_errors_total", dimensions: [("store", store)], factory: factory)).increment()
    }

    func queue(counts: [JobState: Int]) {
        for (state, gauge) in jobGauges { gauge.record(counts[state] ?? 0) }
        queueDepth.record(counts[.pending] ?? 0)
    }

    func stage(_ stage: String, active: Int, waiting: Int) {
        (stageActive[stage] ?? Gauge(label: "reel_stage_active", dimensions: [("stage", stage)], factory: factory)).record(active)
        (stageWaiting[stage] ?? Gauge(label: "reel_stage_waiting", dimensions: [("stage", stage)], factory: factory)).record(waiting)
    }

    /// One finished job: its duration and outcome, its stage timings, and what changed between the manifest before
    /// and after.
    func job(outcome: ArchiveOutcome, duration: Duration, stages: [(stage: String, duration: Duration)],
             before: TaskManifest?, after: TaskManifest?) {
        jobSeconds[outcome.status]?.record(duration: duration)
        jobsFinished[outcome.status]?.increment()
        for (stage, duration) in stages {
            (stageSeconds[stage] ?? Timer(label: "reel_stage_seconds", dimensions: [("stage", stage)], factory: factory))
                .record(duration: duration)
        }
        var bytes: Int64 = 0
        let old = before?.assets ?? []
        for asset in after?.assets ?? [] {
            let previous = old.first { $0.scriptId == asset.scriptId && $0.role == asset.role }
            if let verdict = asset.verification?.verdict, asset.verification != previous?.verification {
                (verifications[verdict] ?? Counter(label: "reel_verifications_total", dimensions: [("verdict", verdict)], factory: factory)).increment()
            }
            if let source = asset.source, source != previous?.source { bytes += source.bytes }
            if let cover = asset.cover, cover != previous?.cover { bytes += cover.bytes }
        }
        if bytes > 0 { bytesDownloaded.increment(by: bytes) }
        if outcome.status != .ok, let code = outcome.upstreamCode { upstreamError(code) }
    }
}
