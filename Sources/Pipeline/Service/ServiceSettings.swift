import Foundation

/// How `reel serve` works: worker pool, feeder and notification. Every value has a default.
public struct ServiceSettings: Sendable {
    /// Jobs (archives) in flight at once. Default: downloads + media passes, so that downloading jobs never leave the
    /// CPU idle; a job waiting for the media stage holds no memory, only its kept source on disk.
    public var workers: Int {
        get { explicitWorkers ?? downloadConcurrency + mediaConcurrency }
        set { explicitWorkers = max(1, newValue) }
    }
    private var explicitWorkers: Int?
    /// Downloads running at once, across all jobs. Default: the machine's cores.
    public var downloadConcurrency: Int
    /// Decode/encode passes (verification, stills, renditions) running at once. Default: the machine's cores.
    public var mediaConcurrency: Int
    /// Idle wait between queue checks when nothing was enqueued locally.
    public var idlePoll: Duration
    /// First poll interval of a watched, unsettled task; later polls back off up to `maxWatchInterval`.
    public var watchInterval: Duration
    public var maxWatchInterval: Duration
    /// How long a settled task whose items are still null (export not requested yet) stays watched.
    public var watchHorizon: Duration
    /// Upstream queries per second the feeder may send (politeness; no rate limit is documented).
    public var requestsPerSecond: Double
    /// Queries the feeder runs at once.
    public var feederConcurrency: Int
    /// POST the task's `show --json` document here when it is archived.
    public var notifyURL: String?
    /// Run this command (via /bin/sh -c) when a task is archived; the document arrives on stdin, the task id in $REEL_TASK_ID.
    public var notifyCommand: String?
    public var notifyAttempts: Int
    /// Interruptions in a row (a vanished process: SIGKILL, crash, lost machine) after which a job fails as a likely
    /// poison input (`REEL_MAX_INTERRUPTIONS`, 1…1000). A graceful stop never counts.
    public var maxInterruptions: Int

    public init(workers: Int? = nil, downloadConcurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
                mediaConcurrency: Int = ProcessInfo.processInfo.activeProcessorCount, idlePoll: Duration = .seconds(2),
                watchInterval: Duration = .seconds(5), maxWatchInterval: Duration = .seconds(300),
                watchHorizon: Duration = .seconds(24 * 3600), requestsPerSecond: Double = 2, feederConcurrency: Int = 2,
                notifyURL: String? = nil, notifyCommand: String? = nil, notifyAttempts: Int = 5,
                maxInterruptions: Int = 10) {
        self.downloadConcurrency = max(1, downloadConcurrency)
        self.mediaConcurrency = max(1, mediaConcurrency)
        self.explicitWorkers = workers.map { max(1, $0) }
        self.idlePoll = idlePoll
        self.watchInterval = watchInterval
        self.maxWatchInterval = maxWatchInterval
        self.watchHorizon = watchHorizon
        self.requestsPerSecond = max(0.01, requestsPerSecond)
        self.feederConcurrency = max(1, feederConcurrency)
        self.notifyURL = notifyURL
        self.notifyCommand = notifyCommand
        self.notifyAttempts = max(1, notifyAttempts)
        self.maxInterruptions = max(1, maxInterruptions)
    }
}
