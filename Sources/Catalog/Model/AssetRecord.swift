/// One output of a task (a script's preview or export; another kind's video, image or audio) and everything archived
/// from it.
public struct AssetRecord: Codable, Sendable, Equatable, Hashable {
    public var scriptId: Int
    public var role: AssetRole
    public var state: AssetState
    /// Why the asset failed (`state` is `failed`), or what needs attention about an archived one (the upstream
    /// listed it twice: ``AssetError/duplicateItemCode``); `nil` otherwise.
    public var error: AssetError?
    /// The downloaded video.
    public var source: FileRecord?
    /// The downloaded cover image.
    public var cover: FileRecord?
    /// The duration the upstream reported (`videoDuration`), in µs.
    public var reportedDurationUs: Int64?
    /// The duration field as the upstream wrote it when its unit is not known (`videos[].duration`): kept, not checked.
    public var reportedDurationRaw: String?
    /// The source's format as detected from its bytes (`mp4`, `jpeg`, `png`, `webp`, `m4a`, `mp3`, `wav`, …).
    public var format: String?
    /// An image's size in pixels, probed by the media engine.
    public var width: Int?
    public var height: Int?
    public var verification: VerificationRecord?
    public var poster: ImageRecord?
    public var thumbnails: [ImageRecord]
    public var storyboard: StoryboardRecord?
    public var renditions: [RenditionRecord]
    public var skippedPresets: [SkippedPreset]

    public init(
        scriptId: Int,
        role: AssetRole,
        state: AssetState = .pending,
        error: AssetError? = nil,
        source: FileRecord? = nil,
        cover: FileRecord? = nil,
        reportedDurationUs: Int64? = nil,
        verification: VerificationRecord? = nil,
        poster: ImageRecord? = nil,
        thumbnails: [ImageRecord] = [],
        storyboard: StoryboardRecord? = nil,
        renditions: [RenditionRecord] = [],
        skippedPresets: [SkippedPreset] = [],
        reportedDurationRaw: String? = nil,
        format: String? = nil,
        width: Int? = nil,
        height: Int? = nil
    ) {
        self.scriptId = scriptId
        self.role = role
        self.state = state
        self.error = error
        self.source = source
        self.cover = cover
        self.reportedDurationUs = reportedDurationUs
        self.verification = verification
        self.poster = poster
        self.thumbnails = thumbnails
        self.storyboard = storyboard
        self.renditions = renditions
        self.skippedPresets = skippedPresets
        self.reportedDurationRaw = reportedDurationRaw
        self.format = format
        self.width = width
        self.height = height
    }

    /// The rendition of `preset`, if any.
    public func rendition(_ preset: String) -> RenditionRecord? {
        renditions.first { $0.preset == preset }
    }

    /// Every catalogued file this asset references, as paths relative to the storage root.
    public var referencedPaths: [String] {
        var paths: [String] = []
        if let source { paths.append(source.path) }
        if let cover { paths.append(cover.path) }
        if let poster { paths.append(poster.path) }
        paths.append(contentsOf: thumbnails.map(\.path))
        if let storyboard { paths.append(contentsOf: [storyboard.sprite, storyboard.vtt]) }
        paths.append(contentsOf: renditions.map(\.path))
        return paths
    }

    private enum CodingKeys: String, CodingKey {
        case scriptId, role, state, error, source, cover, reportedDurationUs, reportedDurationRaw, format, width, height
        case verification, poster, thumbnails, storyboard, renditions, skippedPresets
    }

    /// Liberal: every key but `scriptId` and `role` may be missing or `null`; unknown keys are ignored.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            scriptId: try c.decode(Int.self, forKey: .scriptId),
            role: try c.decode(AssetRole.self, forKey: .role),
            state: try c.decodeIfPresent(AssetState.self, forKey: .state) ?? .pending,
            error: try c.decodeIfPresent(AssetError.self, forKey: .error),
            source: try c.decodeIfPresent(FileRecord.self, forKey: .source),
            cover: try c.decodeIfPresent(FileRecord.self, forKey: .cover),
            reportedDurationUs: try c.decodeIfPresent(Int64.self, forKey: .reportedDurationUs),
            verification: try c.decodeIfPresent(VerificationRecord.self, forKey: .verification),
            poster: try c.decodeIfPresent(ImageRecord.self, forKey: .poster),
            thumbnails: try c.decodeList([ImageRecord].self, forKey: .thumbnails),
            storyboard: try c.decodeIfPresent(StoryboardRecord.self, forKey: .storyboard),
            renditions: try c.decodeList([RenditionRecord].self, forKey: .renditions),
            skippedPresets: try c.decodeList([SkippedPreset].self, forKey: .skippedPresets),
            reportedDurationRaw: try c.decodeIfPresent(String.self, forKey: .reportedDurationRaw),
            format: try c.decodeIfPresent(String.self, forKey: .format),
            width: try c.decodeIfPresent(Int.self, forKey: .width),
            height: try c.decodeIfPresent(Int.self, forKey: .height)
        )
    }

    /// Every key is written, `null` when absent: the `reel show --json` contract.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scriptId, forKey: .scriptId)
        try c.encode(role, forKey: .role)
        try c.encode(state, forKey: .state)
        try c.encode(error, forKey: .error)
        try c.encode(source, forKey: .source)
        try c.encode(cover, forKey: .cover)
        try c.encode(reportedDurationUs, forKey: .reportedDurationUs)
        try c.encode(reportedDurationRaw, forKey: .reportedDurationRaw)
        try c.encode(format, forKey: .format)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(verification, forKey: .verification)
        try c.encode(poster, forKey: .poster)
        try c.encode(thumbnails, forKey: .thumbnails)
        try c.encode(storyboard, forKey: .storyboard)
        try c.encode(renditions, forKey: .renditions)
        try c.encode(skippedPresets, forKey: .skippedPresets)
    }
}
