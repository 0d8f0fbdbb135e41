/// The storyboard of a video: a sprite of thumbnails and the WebVTT file that maps times to tiles.
public struct StoryboardRecord: Codable, Sendable, Equatable, Hashable {
    /// Path of the sprite image, relative to the storage root.
    public var sprite: String
    /// Path of the `.vtt` file, relative to the storage root.
    public var vtt: String

    public init(sprite: String, vtt: String) {
        self.sprite = sprite
        self.vtt = vtt
    }
}
