/// One kind of TopView task: where to query it and how to read its result.
///
/// Adding a kind is one type conforming to this protocol plus one line in ``TaskKinds/all``.
public protocol TaskKind: Sendable {
    /// The short name used on the command line and in manifests (`"m2v"`).
    static var name: String { get }
    /// The query endpoint's path (`"/v1/m2v/task/query"`), called with `?taskId=`.
    static var queryPath: String { get }
    /// Whether a callback's `bizType` (`"M2V_EXPORT"`) belongs to this kind.
    static func handles(bizType: String) -> Bool
    /// Maps the envelope's `result` to videos with scriptId, role, URLs and reported duration.
    /// Throws ``TopViewError/invalidResult`` when the result cannot be read.
    static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot
}

extension TaskKind {
    public static func handles(bizType: String) -> Bool { false }
}

/// The registry of supported task kinds.
public enum TaskKinds {
    /// Every supported kind; the first is the default. Adding a kind: one file in `Kinds/` and one entry here.
    public static let all: [any TaskKind.Type] = [
        M2VKind.self, VideoAvatarKind.self, PhotoAvatarKind.self, ProductAvatarKind.self, Image2VideoKind.self,
        Text2VideoKind.self, Video2AIAvatarKind.self, Text2ImageKind.self, ProductImageKind.self, OmniReferenceKind.self,
        VideoObjectRemoveKind.self, ImageEditKind.self, Text2VoiceKind.self, VoiceCloneKind.self,
    ]

    /// The kinds' names, for messages that list them.
    public static var names: [String] { all.map { $0.name } }

    public static var defaultKind: any TaskKind.Type { all[0] }

    /// The kind called `name` (case-insensitive), or `nil`.
    public static func kind(named name: String) -> (any TaskKind.Type)? {
        let wanted = name.lowercased()
        return all.first { $0.name.lowercased() == wanted }
    }

    /// The kind a callback's `bizType` belongs to (`M2V_PREVIEW`/`M2V_EXPORT` are m2v), or `nil` for a bizType that
    /// names no archived kind (`M2V_SCRIPT`, `SCRAPER`, values the vendor adds later).
    public static func kind(forBizType bizType: String) -> (any TaskKind.Type)? {
        all.first { $0.handles(bizType: bizType) }
    }
}
