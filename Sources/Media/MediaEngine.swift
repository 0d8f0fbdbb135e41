import CFFmpeg
import Foundation

/// What a full per-video pass should produce from one decode.
public struct PassRequest: Sendable {
    public var reportedDurationUs: Int64?
    public var tolerance: DurationTolerance
    public var thumbnails: ThumbnailRequest
    /// Where stills go (see `ThumbnailJob` for the layout inside).
    public var thumbnailDirectory: String?
    public var presets: [RenditionPreset]
    /// Renditions are written to `<renditionDirectory>/<preset>.mp4`.
    public var renditionDirectory: String?
    public var encoder: EncoderSettings

    public init(reportedDurationUs: Int64? = nil, tolerance: DurationTolerance = .init(), thumbnails: ThumbnailRequest = .init(),
                thumbnailDirectory: String? = nil, presets: [RenditionPreset] = [], renditionDirectory: String? = nil,
                encoder: EncoderSettings = .init()) {
        self.reportedDurationUs = reportedDurationUs
        self.tolerance = tolerance
        self.thumbnails = thumbnails
        self.thumbnailDirectory = thumbnailDirectory
        self.presets = presets
        self.renditionDirectory = renditionDirectory
        self.encoder = encoder
    }
}

/// Everything one pass produced.
public struct PassReport: Sendable, Codable, Equatable {
    public var probe: ProbeResult
    public var verification: Verification
    public var thumbnails: ThumbnailSet
    public var renditions: [RenditionResult]
    public var skipped: [SkippedRendition]
    /// Wall time of the pass, seconds.
    public var seconds: Double
}

/// The media engine: probe, verify, thumbnails and renditions over FFmpeg's C libraries. Every call runs its
/// C work on a dedicated thread; the values returned are plain `Sendable` structs.
public enum MediaEngine {
    public typealias Progress = @Sendable (Double) -> Void

    /// Reads headers only.
    public static func probe(_ path: String) async throws(MediaError) -> ProbeResult {
        try await MediaThread.run("probe") { _ throws(MediaError) in try Prober.probe(path: path) }
    }

    /// Header probe on the calling thread (cheap; for tools that probe many files in a row).
    public static func probeNow(_ path: String) throws(MediaError) -> ProbeResult {
        try Prober.probe(path: path)
    }

    /// Decodes every frame once and compares the measured duration with `reportedUs`.
    /// A file that cannot be opened as media is `undecodable` (a missing file throws).
    public static func verify(_ path: String, reportedUs: Int64? = nil, tolerance: DurationTolerance = .init(),
                              progress: Progress? = nil) async throws(MediaError) -> Verification {
        try await process(path, PassRequest(reportedDurationUs: reportedUs, tolerance: tolerance), progress: progress).verification
    }

    /// Stills only, by seeking (no full decode) where the file allows it; where seeking cannot be trusted (see
    /// ``SeekSampler``) or the video is interlaced, by decoding forward from the start once.
    public static func thumbnails(_ path: String, request: ThumbnailRequest, directory: String,
                                  progress: Progress? = nil) async throws(MediaError) -> ThumbnailSet {
        try await MediaThread.run("thumbs") { flag throws(MediaError) in
            let input = try InputFile(path: path)
            guard let v = input.bestVideoStreamIndex else { throw MediaError(.noVideoStream, path) }
            let probe = Prober.describe(input)
            let geometry = try geometryOf(probe, path: path)
            let duration = timelineEndUs(probe)
            var job = try ThumbnailJob(request: request, directory: directory, geometry: geometry, durationUs: duration)
            if !input.stream(v).isInterlaced {
                let sampler = try SeekSampler(input: input, videoIndex: v)
                if try sampler.run(targets: job.grabbers.flatMap(\.targets), sinks: job.grabbers, cancellation: flag) {
                    progress?(1)
                    return try job.result()
                }
                job.discard()
                job = try ThumbnailJob(request: request, directory: directory, geometry: geometry, durationUs: duration)
            }
            let pass = try MediaPass(input: try InputFile(path: path), decodeAudio: false)
            pass.videoSinks = job.grabbers
            pass.progress = progress
            pass.cancellation = flag
            try pass.run()
            return try job.result()
        }
    }

    /// Where the video ends on the file's presentation timeline (the container's start is 0), µs: the video stream's
    /// start and duration when the file says them, else the container's duration; 0 when unknown.
    static func timelineEndUs(_ probe: ProbeResult) -> Int64 {
        if let video = probe.video, let duration = video.durationUs, duration > 0 {
            return max(0, (video.startTimeUs ?? 0) - (probe.startTimeUs ?? 0)) + duration
        }
        return probe.durationUs ?? 0
    }

    /// Decodes the best audio stream whole and measures it (a voice-over's duration check); `.notMedia` without audio.
    public static func measureAudio(_ path: String) async throws(MediaError) -> AudioMeasurement {
        try await MediaThread.run("audio") { flag throws(MediaError) in try AudioMeter.measure(path: path, cancellation: flag) }
    }

    /// One decode feeding verification, stills and every rendition.
    public static func process(_ path: String, _ request: PassRequest, progress: Progress? = nil) async throws(MediaError) -> PassReport {
        try await MediaThread.run("pass") { flag throws(MediaError) in
            try PassRunner(path: path, request: request, progress: progress, cancellation: flag).run()
        }
    }

    static func geometryOf(_ probe: ProbeResult, path: String) throws(MediaError) -> DisplayGeometry {
        guard let v = probe.video, let w = v.width, let h = v.height, w > 0, h > 0 else {
            throw MediaError(.noVideoStream, path)
        }
        var sar = AVRational(num: 1, den: 1)
        if let s = v.sampleAspectRatio {
            let parts = s.split(separator: ":").compactMap { Int32($0) }
            if parts.count == 2 { sar = AVRational(num: parts[0], den: parts[1]) }
        }
        return DisplayGeometry(codedWidth: w, codedHeight: h, sar: sar, rotation: v.rotation)
    }
}

extension MediaEngine {
    /// The FFmpeg libraries' version (`av_version_info`, e.g. `5.1.6-0+deb12u1`).
    public static var ffmpegVersion: String { String(cString: av_version_info()) }

    /// FFmpeg's own log level: quiet by default (decode errors are counted from return codes, not logs); `verbose` shows warnings.
    public static func setFFmpegLogging(verbose: Bool) {
        av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_FATAL)
    }
}
