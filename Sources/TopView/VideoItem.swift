/// One video of a task as the upstream reports it: a preview or an export of one script.
public struct VideoItem: Sendable, Codable, Equatable, Hashable {
    /// The script the video belongs to. When the upstream gives none (or an unusable one), see
    /// ``M2VKind`` for how an id is chosen.
    public var scriptId: Int
    /// `"preview"` or `"export"` for M2V.
    public var role: String
    /// The item's raw upstream status (`init`, `running`, `success`, `fail`), `nil` when not requested yet.
    public var status: String?
    public var title: String?
    /// The signed video URL as given; store and show it through ``redactedURL(_:)``.
    public var videoURL: String?
    public var coverURL: String?
    /// The duration the upstream reports, in microseconds.
    public var reportedDurationUs: Int64?

    public static let previewRole = "preview"
    public static let exportRole = "export"

    public init(
        scriptId: Int,
        role: String,
        status: String? = nil,
        title: String? = nil,
        videoURL: String? = nil,
        coverURL: String? = nil,
        reportedDurationUs: Int64? = nil
    ) {
        self.scriptId = scriptId
        self.role = role
        self.status = status
        self.title = title
        self.videoURL = videoURL
        self.coverURL = coverURL
        self.reportedDurationUs = reportedDurationUs
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
