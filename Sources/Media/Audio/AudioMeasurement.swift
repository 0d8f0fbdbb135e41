/// What decoding an audio file whole measured: the archive's check of a voice-over against its reported duration.
public struct AudioMeasurement: Sendable, Codable, Equatable {
    public var codec: String
    public var sampleRate: Int
    public var channels: Int
    /// The decoded samples' duration, in microseconds (samples ÷ sample rate).
    public var decodedDurationUs: Int64
    /// The container's own duration, when it says (a header value, not a measurement).
    public var containerDurationUs: Int64?
    public var frames: Int
    public var decodeErrors: Int
}
