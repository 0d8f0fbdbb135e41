/// What a header probe learns about a file, without decoding it.
public struct ProbeResult: Sendable, Codable, Equatable {
    public var path: String
    /// Container format name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    public var formatName: String
    /// Container duration in µs, nil when unknown.
    public var durationUs: Int64?
    /// How FFmpeg obtained the container duration: "pts" (from timestamps), "stream" (from a stream's
    /// duration) or "bitrate" (a guess from the bit rate, not a measurement).
    public var durationEstimation: String
    /// Container start time in µs, nil when unknown.
    public var startTimeUs: Int64?
    public var bitRate: Int64?
    public var sizeBytes: Int64?
    public var streams: [StreamInfo]

    /// The first video stream, if any.
    public var video: StreamInfo? { streams.first { $0.type == "video" && !$0.isAttachedPicture } }
    public var audio: StreamInfo? { streams.first { $0.type == "audio" } }
}

/// One stream of a probed file.
public struct StreamInfo: Sendable, Codable, Equatable {
    public var index: Int
    /// "video", "audio", "subtitle", "data" or "attachment".
    public var type: String
    public var codec: String
    public var profile: String?
    /// Stored (coded) size; the displayed size also depends on `sampleAspectRatio` and `rotation`.
    public var width: Int?
    public var height: Int?
    /// Sample (pixel) aspect ratio as "num:den", nil when unknown or square.
    public var sampleAspectRatio: String?
    /// Display rotation in degrees clockwise (0, 90, 180, 270; or any angle the matrix says).
    public var rotation: Int
    /// Displayed size after SAR and rotation.
    public var displayWidth: Int?
    public var displayHeight: Int?
    public var pixelFormat: String?
    /// Video field order: "progressive", "tt" (top field first, coded top first), "bb", "tb", "bt"; nil when unknown.
    public var fieldOrder: String?
    /// Average frame rate (frames / duration); may mislead for variable frame rate.
    public var avgFrameRate: Double?
    /// The lowest frame rate that represents all timestamps ("r_frame_rate").
    public var realFrameRate: Double?
    public var timeBase: String
    /// Stream duration in µs, nil when the container does not say.
    public var durationUs: Int64?
    /// Stream start time in µs.
    public var startTimeUs: Int64?
    /// Frame count from the header (`nb_frames`); may be 0 or wrong.
    public var frameCountHint: Int64?
    public var sampleRate: Int?
    public var channels: Int?
    public var bitRate: Int64?
    public var isAttachedPicture: Bool
}
