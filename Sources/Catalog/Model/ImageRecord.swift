/// A still image taken from a video: the poster or one thumbnail.
public struct ImageRecord: Codable, Sendable, Equatable, Hashable {
    /// Path relative to the storage root.
    public var path: String
    /// Presentation time of the frame, in µs from the start.
    public var timeUs: Int64
    public var width: Int
    public var height: Int

    public init(path: String, timeUs: Int64, width: Int, height: Int) {
        self.path = path
        self.timeUs = timeUs
        self.width = width
        self.height = height
    }
}
