/// The storyboard of a video: a sprite of thumbnails and the WebVTT file that maps times to tiles.
public struct StoryboardRecord: Codable, Sendable, Equatable, Hashable {
    /// Path of the sprite image, relative to the storage root.
    public var sprite: String
    /// Path of the `.vtt` file, relative to the storage root.
    public var vtt: String
    /// SHA-256 of the sprite and of the `.vtt` file, for fixity checks (nil in older manifests).
    public var spriteSha256: String?
    public var vttSha256: String?

    public init(sprite: String, vtt: String, spriteSha256: String? = nil, vttSha256: String? = nil) {
        self.sprite = sprite
        self.vtt = vtt
        self.spriteSha256 = spriteSha256
        self.vttSha256 = vttSha256
    }
}
