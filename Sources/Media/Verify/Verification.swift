/// The verdict of comparing a measured (decoded) duration with the one upstream reported.
public enum Verdict: String, Sendable, Codable, Equatable {
    /// Decoded cleanly and the durations agree within the tolerance.
    case match
    /// Decoded cleanly but the durations differ by more than the tolerance.
    case mismatch
    /// Decoded cleanly; nothing was reported to compare with.
    case unreported
    /// Decode errors, a file that stops early, or not media at all. Wins over every other verdict.
    case undecodable
}

/// How far a measured duration may stray from the reported one.
public struct DurationTolerance: Sendable, Codable, Equatable {
    /// Lower bound, µs (default 100 ms).
    public var minimumUs: Int64
    /// The tolerance is at least this many frame durations (default 2).
    public var frames: Int

    public init(minimumUs: Int64 = 100_000, frames: Int = 2) {
        self.minimumUs = minimumUs
        self.frames = frames
    }

    public func resolve(frameDurationUs: Int64) -> Int64 {
        max(minimumUs, Int64(frames) * frameDurationUs)
    }
}

/// The result of a full-decode verification.
public struct Verification: Sendable, Codable, Equatable {
    public var path: String
    public var verdict: Verdict
    /// Decoded video duration: last pts + last frame duration − first pts, in µs.
    public var measuredDurationUs: Int64?
    public var reportedDurationUs: Int64?
    /// measured − reported, µs (nil when either is unknown).
    public var deltaUs: Int64?
    public var toleranceUs: Int64
    /// Decoded video frames.
    public var frames: Int
    /// Decode errors: failed sends/receives, frames flagged corrupt, read errors (video and audio).
    public var decodeErrors: Int
    public var audioFrames: Int
    public var audioDurationUs: Int64?
    /// Duration the container's headers promise for the video stream, µs.
    public var declaredDurationUs: Int64?
    /// Why the verdict is `undecodable`, in words (nil otherwise).
    public var reason: String?
    /// The media error code when the file could not be taken as a video at all (`notMedia`, `noVideoStream`, …; see
    /// ``MediaError/Code``); nil when it opened and its video was decoded (even badly). Absent from the JSON when nil.
    public var failureCode: MediaError.Code?
    /// Why the audio stream could not be opened for decoding, in words (nil when it could, or there is none): for
    /// example no decoder for its codec in this FFmpeg, or parameters the decoder refuses. The verdict is still
    /// judged on the video (measured as usual), and no audio is counted; a rendition that would re-encode this audio
    /// fails instead of being written without it. Absent from the JSON when nil.
    public var audioFailure: String?
    /// Audio minus video duration, µs (nil without both): a generated video whose voice runs past its picture, or stops
    /// short of it. Does not change the verdict.
    public var avDesyncUs: Int64?
    /// The magnitude of ``avDesyncUs`` exceeds the tolerance: a warning, not a verdict.
    public var avDesync: Bool

    /// Combines measurements into a verdict. `undecodable` wins over everything.
    static func judge(
        path: String, measuredUs: Int64?, reportedUs: Int64?, declaredUs: Int64?, frames: Int,
        decodeErrors: Int, toleranceUs: Int64, audioFrames: Int, audioDurationUs: Int64?, failure: String?,
        audioFailure: String? = nil
    ) -> Verification {
        var reason = failure
        if reason == nil, frames == 0 { reason = "no video frame could be decoded" }
        if reason == nil, decodeErrors > 0 { reason = "\(decodeErrors) decode error(s)" }
        if reason == nil, let declaredUs, let measuredUs, declaredUs - measuredUs > toleranceUs {
            reason = "decoding stopped early: \(measuredUs) µs decoded of \(declaredUs) µs declared"
        }
        let delta: Int64? = if let measuredUs, let reportedUs { measuredUs - reportedUs } else { nil }
        let verdict: Verdict
        if reason != nil {
            verdict = .undecodable
        } else if let delta {
            verdict = abs(delta) <= toleranceUs ? .match : .mismatch
        } else {
            verdict = .unreported
        }
        return Verification(
            path: path, verdict: verdict, measuredDurationUs: measuredUs, reportedDurationUs: reportedUs,
            deltaUs: delta, toleranceUs: toleranceUs, frames: frames, decodeErrors: decodeErrors,
            audioFrames: audioFrames, audioDurationUs: audioDurationUs, declaredDurationUs: declaredUs, reason: reason,
            audioFailure: audioFailure,
            avDesyncUs: Self.desync(audioUs: audioDurationUs, videoUs: measuredUs),
            avDesync: Self.desync(audioUs: audioDurationUs, videoUs: measuredUs).map { abs($0) > toleranceUs } ?? false
        )
    }

    /// Audio minus video, when both were measured.
    static func desync(audioUs: Int64?, videoUs: Int64?) -> Int64? {
        guard let audioUs, let videoUs, audioUs > 0 else { return nil }
        return audioUs - videoUs
    }
}
