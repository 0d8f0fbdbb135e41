/// A derivative encode of an archived source at one preset of the ladder.
public struct RenditionRecord: Codable, Sendable, Equatable, Hashable {
    /// The preset's name (`480p`, ...), a safe path component.
    public var preset: String
    /// Path relative to the storage root.
    public var path: String
    public var width: Int
    public var height: Int
    public var bytes: Int64
    /// Lowercase hex SHA-256 of the file's bytes.
    public var sha256: String
    public var durationUs: Int64

    public init(preset: String, path: String, width: Int, height: Int, bytes: Int64, sha256: String, durationUs: Int64) {
        self.preset = preset
        self.path = path
        self.width = width
        self.height = height
        self.bytes = bytes
        self.sha256 = sha256.lowercased()
        self.durationUs = durationUs
    }
}
