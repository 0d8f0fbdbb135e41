/// A still image taken from a video: the poster or one thumbnail.
public struct ImageRecord: Codable, Sendable, Equatable, Hashable {
    /// Path relative to the storage root.
    public var path: String
    /// Presentation time of the frame, in µs from the start.
    public var timeUs: Int64
    public var width: Int
    public var height: Int
    /// Size and SHA-256 of the file, for fixity checks (nil in manifests written before they were recorded).
    public var bytes: Int64?
    public var sha256: String?

    public init(path: String, timeUs: Int64, width: Int, height: Int, bytes: Int64? = nil, sha256: String? = nil) {
        self.path = path
        self.timeUs = timeUs
        self.width = width
        self.height = height
        self.bytes = bytes
        self.sha256 = sha256
    }
}
