import Foundation

/// The per-stage bounds of an archive run: how many downloads, and how many decode/encode passes, run at once across
/// every job of the process. A job waiting for the media stage holds no memory, only its kept source on disk, so more
/// jobs than passes can be in flight while the CPU stays busy.
public struct StageLimits: Sendable {
    public let downloads: StageLimiter
    public let media: StageLimiter

    public init(downloads: Int, media: Int, metrics: ReelMetrics? = nil) {
        self.downloads = StageLimiter(stage: "download", limit: downloads, metrics: metrics)
        self.media = StageLimiter(stage: "media", limit: media, metrics: metrics)
    }

    /// No bound beyond the run's own concurrency (a single `reel archive`).
    public static var unbounded: StageLimits { StageLimits(downloads: .max, media: .max) }
}
