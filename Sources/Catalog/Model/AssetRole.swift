/// What an asset is to its task: an M2V script's `preview` or `export`, or the `video`, `image` or `audio` output of
/// another task kind.
public enum AssetRole: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case preview
    case export
    case video
    case image
    case audio

    /// Whether the asset is a video (verified, stills, storyboard, renditions).
    public var isVideo: Bool { self == .preview || self == .export || self == .video }

    /// In the order of the cases: previews before exports.
    public static func < (lhs: AssetRole, rhs: AssetRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
