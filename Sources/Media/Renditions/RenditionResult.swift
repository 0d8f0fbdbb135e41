/// One rendition a pass wrote, checked after writing.
public struct RenditionResult: Sendable, Codable, Equatable {
    public var preset: String
    public var path: String
    /// Displayed size (what the preset resolves to for this source).
    public var width: Int
    public var height: Int
    public var bytes: Int64
    /// Duration of the written video stream, µs (probed after writing).
    public var durationUs: Int64
}

/// A preset that was not written, and why (for example: it would upscale the source).
public struct SkippedRendition: Sendable, Codable, Equatable {
    public var preset: String
    public var reason: String
}
