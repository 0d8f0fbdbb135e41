import Foundation
import Media

/// How `reel archive` works a task: polling, derivatives and limits. Every value has a default.
public struct ArchiveSettings: Sendable {
    /// Wait for an unsettled task (poll) instead of returning at once.
    public var wait: Bool
    public var pollInterval: Duration
    /// Total time budget for polling one task.
    public var timeout: Duration
    /// Items processed at once within a task.
    public var jobs: Int
    /// Rendition ladder.
    public var presets: [RenditionPreset]
    public var encoder: EncoderSettings
    public var tolerance: DurationTolerance
    /// Evenly spaced thumbnails per video.
    public var thumbnailCount: Int
    /// How many times an expired (403/410) URL triggers a fresh query of the task.
    public var maxRequeries: Int

    public init(wait: Bool = true, pollInterval: Duration = .seconds(5), timeout: Duration = .seconds(600), jobs: Int = 1,
                presets: [RenditionPreset] = RenditionPreset.defaultLadder, encoder: EncoderSettings = .init(),
                tolerance: DurationTolerance = .init(), thumbnailCount: Int = 5, maxRequeries: Int = 3) {
        self.wait = wait
        self.pollInterval = pollInterval
        self.timeout = timeout
        self.jobs = max(1, jobs)
        self.presets = presets
        self.encoder = encoder
        self.tolerance = tolerance
        self.thumbnailCount = thumbnailCount
        self.maxRequeries = maxRequeries
    }
}

/// What an archive run ended with; the raw value is `reel`'s exit code. With several tasks, the largest wins.
public enum ArchiveStatus: Int32, Sendable, Comparable, Codable {
    /// Every asset archived with verdict `match` or `unreported`.
    case ok = 0
    /// Something needs attention: a failed asset, `mismatch`/`undecodable`, an upstream failure, a permanent API error.
    case attention = 1
    /// Usage, configuration or credentials.
    case usage = 2
    /// The task is not settled (with `--no-wait`, or after the time budget).
    case notSettled = 3
    /// The upstream or the network stayed unavailable after the retries.
    case unavailable = 4

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The result of archiving one task.
public struct ArchiveOutcome: Sendable {
    public var taskId: String
    public var status: ArchiveStatus
    /// Why, in words, when not `.ok`.
    public var message: String?
    /// The TopView error behind a failed query: the API code (`4004`, `5003`), `http_<status>`, or `transport`.
    public var upstreamCode: String?

    public init(taskId: String, status: ArchiveStatus, message: String? = nil, upstreamCode: String? = nil) {
        self.taskId = taskId
        self.status = status
        self.message = message
        self.upstreamCode = upstreamCode
    }
}

/// Progress of an archive run, for the CLI (one line per event, or bars on a terminal) and the logs.
public enum ArchiveEvent: Sendable {
    case querying(task: String, attempt: Int)
    case waiting(task: String, status: String?)
    case stage(task: String, scriptId: Int, role: String, stage: String)
    case progress(task: String, scriptId: Int, role: String, stage: String, fraction: Double)
    /// A download's bytes on disk of the total (a resumed one starts where it stopped).
    case transfer(task: String, scriptId: Int, role: String, received: Int64, total: Int64)
    /// What the decode pass of an asset makes (`verify, stills, 240p, 480p`), how long the media lasts and its frame
    /// rate, for its progress (frames per second and the speed against real time), sent once as the pass starts.
    case processing(task: String, scriptId: Int, role: String, parts: String, mediaSeconds: Double?, frameRate: Double?)
    /// An attempt of a download failed or stalled and the next one resumes: one line for people.
    case downloadRetry(task: String, scriptId: Int, role: String, line: String)
    case assetDone(task: String, scriptId: Int, role: String, state: String, detail: String)
    /// Something about an archived asset people should look at that does not change its verdict (audio and video of
    /// different lengths).
    case assetWarning(task: String, scriptId: Int, role: String, text: String)
    case taskDone(task: String, status: ArchiveStatus, message: String?)
}
