/// What decoding the archived video found, compared with the duration the upstream reported.
public struct VerificationRecord: Codable, Sendable, Equatable, Hashable {
    /// Measured duration within tolerance of the reported one.
    public static let match = "match"
    /// Measured duration outside the tolerance.
    public static let mismatch = "mismatch"
    /// Decoded fine; the upstream reported no duration to compare with.
    public static let unreported = "unreported"
    /// The file could not be decoded.
    public static let undecodable = "undecodable"
    /// Every verdict, in the order above.
    public static let verdicts = [match, mismatch, unreported, undecodable]

    /// One of ``verdicts``.
    public var verdict: String
    public var measuredDurationUs: Int64?
    /// Measured minus reported, in µs; `nil` when either is unknown.
    public var deltaUs: Int64?
    public var toleranceUs: Int64
    /// Video frames decoded.
    public var frames: Int
    public var decodeErrors: Int
    /// Why the audio stream could not be decoded (no decoder for its codec, parameters it refuses), in words; nil when
    /// it could, or there is none. The verdict is judged on the video. Absent from the JSON when nil, so manifests
    /// written before it decode as they are.
    public var audioFailure: String?
    /// Audio minus video duration, µs, when both were measured; absent from the JSON when nil (as in manifests written
    /// before it).
    public var avDesyncUs: Int64?
    /// The audio and the video differ in length by more than the tolerance: shown as a warning; the verdict stands.
    /// Absent from the JSON unless true.
    public var avDesync: Bool

    public init(
        verdict: String,
        measuredDurationUs: Int64? = nil,
        deltaUs: Int64? = nil,
        toleranceUs: Int64,
        frames: Int = 0,
        decodeErrors: Int = 0,
        audioFailure: String? = nil,
        avDesyncUs: Int64? = nil,
        avDesync: Bool = false
    ) {
        self.verdict = verdict
        self.measuredDurationUs = measuredDurationUs
        self.deltaUs = deltaUs
        self.toleranceUs = toleranceUs
        self.frames = frames
        self.decodeErrors = decodeErrors
        self.audioFailure = audioFailure
        self.avDesyncUs = avDesyncUs
        self.avDesync = avDesync
    }

    private enum CodingKeys: String, CodingKey {
        case verdict, measuredDurationUs, deltaUs, toleranceUs, frames, decodeErrors, audioFailure, avDesyncUs, avDesync
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            verdict: try container.decode(String.self, forKey: .verdict),
            measuredDurationUs: try container.decodeIfPresent(Int64.self, forKey: .measuredDurationUs),
            deltaUs: try container.decodeIfPresent(Int64.self, forKey: .deltaUs),
            toleranceUs: try container.decodeIfPresent(Int64.self, forKey: .toleranceUs) ?? 0,
            frames: try container.decodeIfPresent(Int.self, forKey: .frames) ?? 0,
            decodeErrors: try container.decodeIfPresent(Int.self, forKey: .decodeErrors) ?? 0,
            audioFailure: try container.decodeIfPresent(String.self, forKey: .audioFailure),
            avDesyncUs: try container.decodeIfPresent(Int64.self, forKey: .avDesyncUs),
            avDesync: try container.decodeIfPresent(Bool.self, forKey: .avDesync) ?? false
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(measuredDurationUs, forKey: .measuredDurationUs)
        try container.encode(deltaUs, forKey: .deltaUs)
        try container.encode(toleranceUs, forKey: .toleranceUs)
        try container.encode(frames, forKey: .frames)
        try container.encode(decodeErrors, forKey: .decodeErrors)
        try container.encodeIfPresent(audioFailure, forKey: .audioFailure)
        try container.encodeIfPresent(avDesyncUs, forKey: .avDesyncUs)
        if avDesync { try container.encode(true, forKey: .avDesync) }
    }

    /// The warning people read for ``avDesync`` (`audio ends 0.50 s after the video`), nil when in step.
    public var desyncWarning: String? {
        guard avDesync, let us = avDesyncUs else { return nil }
        return String(format: "audio ends %.2f s %@ the video", Double(abs(us)) / 1_000_000, us > 0 ? "after" : "before")
    }
}
