/// One output of a task as the upstream reports it: a preview or an export of one M2V script, or the video, image or
/// audio of another kind (``TaskKinds``).
public struct VideoItem: Sendable, Codable, Equatable, Hashable {
    /// The output's index: the M2V script (when the upstream gives none or an unusable one, see ``M2VKind`` for how an
    /// id is chosen), the position in `videos[]`/`images[]`, 0 for a kind's single output.
    public var scriptId: Int
    /// `"preview"` or `"export"` for M2V; `"video"`, `"image"` or `"audio"` for the other kinds.
    public var role: String
    /// The item's raw upstream status (`init`, `running`, `success`, `fail`, any case), `nil` when not requested yet;
    /// a kind whose outputs have no status of their own gives them the task's.
    public var status: String?
    public var title: String?
    /// The signed media URL as given (the video, image or audio); store and show it through ``redactedURL(_:)``.
    public var videoURL: String?
    public var coverURL: String?
    /// The duration the upstream reports, in microseconds, when its unit is known.
    public var reportedDurationUs: Int64?
    /// The duration field as the upstream wrote it, when its unit is not known (`videos[].duration`): kept, not checked.
    public var reportedDurationRaw: String?
    /// The output's own error (`errorMsg` of one of `videos[]`).
    public var errorMsg: String?

    public static let previewRole = "preview"
    public static let exportRole = "export"
    public static let videoRole = "video"
    public static let imageRole = "image"
    public static let audioRole = "audio"

    public init(
        scriptId: Int,
        role: String,
        status: String? = nil,
        title: String? = nil,
        videoURL: String? = nil,
        coverURL: String? = nil,
        reportedDurationUs: Int64? = nil,
        reportedDurationRaw: String? = nil,
        errorMsg: String? = nil
    ) {
        self.scriptId = scriptId
        self.role = role
        self.status = status
        self.title = title
        self.videoURL = videoURL
        self.coverURL = coverURL
        self.reportedDurationUs = reportedDurationUs
        self.reportedDurationRaw = reportedDurationRaw
        self.errorMsg = errorMsg
    }

    /// The item is still being produced upstream (`init` or `running`).
    public var isInProgress: Bool {
        guard let status = status?.lowercased() else { return false }
        return status == "init" || status == "running"
    }

    /// The item finished successfully and has a video URL to fetch.
    public var isReady: Bool {
        status?.lowercased() == "success" && videoURL != nil
    }
}
