/// What stills to make from a video.
public struct ThumbnailRequest: Sendable, Equatable {
    /// Exact times, seconds on the file's presentation timeline (the container's start is 0, as for ffprobe).
    public var times: [Double]
    /// Number of evenly spaced thumbnails (at the middle of N equal slices).
    public var count: Int
    /// Whether to pick one representative poster (not black, not near-uniform).
    public var poster: Bool
    /// Storyboard sprite sheet + WebVTT, when set.
    public var storyboard: StoryboardOptions?
    public var format: ImageFormat
    /// Longest side of a thumbnail, pixels (never upscaled).
    public var thumbnailLongSide: Int
    /// Longest side of the poster, pixels (never upscaled).
    public var posterLongSide: Int

    public init(times: [Double] = [], count: Int = 0, poster: Bool = false, storyboard: StoryboardOptions? = nil,
                format: ImageFormat = .jpeg, thumbnailLongSide: Int = 640, posterLongSide: Int = 1280) {
        self.times = times
        self.count = count
        self.poster = poster
        self.storyboard = storyboard
        self.format = format
        self.thumbnailLongSide = thumbnailLongSide
        self.posterLongSide = posterLongSide
    }

    public var isEmpty: Bool { times.isEmpty && count == 0 && !poster && storyboard == nil }
}

public struct StoryboardOptions: Sendable, Equatable {
    /// Seconds between tiles; nil picks one so that there are at most `maxTiles`.
    public var intervalSeconds: Double?
    public var maxTiles: Int
    public var columns: Int
    /// Longest side of one tile, pixels.
    public var tileLongSide: Int

    public init(intervalSeconds: Double? = nil, maxTiles: Int = 60, columns: Int = 10, tileLongSide: Int = 160) {
        self.intervalSeconds = intervalSeconds
        self.maxTiles = maxTiles
        self.columns = columns
        self.tileLongSide = tileLongSide
    }
}

/// One still written to disk.
public struct StillImage: Sendable, Codable, Equatable {
    /// File path as written.
    public var path: String
    /// Time of the frame used, µs on the file's presentation timeline (the container's start is 0).
    public var timeUs: Int64
    public var width: Int
    public var height: Int
    /// The time asked for (`--at`), µs; nil for evenly spaced stills and the poster. A time past the last frame gives
    /// the last frame, so `timeUs` is then earlier than this.
    public var requestedUs: Int64?
    /// True when the picture is black or flat (no detail): the video itself shows nothing there.
    public var blank: Bool

    public init(path: String, timeUs: Int64, width: Int, height: Int, requestedUs: Int64? = nil, blank: Bool = false) {
        self.path = path
        self.timeUs = timeUs
        self.width = width
        self.height = height
        self.requestedUs = requestedUs
        self.blank = blank
    }
}

public struct StoryboardResult: Sendable, Codable, Equatable {
    public var sprite: String
    public var vtt: String
    public var tiles: Int
    public var columns: Int
    public var tileWidth: Int
    public var tileHeight: Int
    public var intervalUs: Int64
}

/// Everything a thumbnail request produced.
public struct ThumbnailSet: Sendable, Codable, Equatable {
    /// Stills at the requested times, then the evenly spaced ones.
    public var thumbnails: [StillImage]
    public var poster: StillImage?
    public var storyboard: StoryboardResult?

    public init(thumbnails: [StillImage] = [], poster: StillImage? = nil, storyboard: StoryboardResult? = nil) {
        self.thumbnails = thumbnails
        self.poster = poster
        self.storyboard = storyboard
    }
}
