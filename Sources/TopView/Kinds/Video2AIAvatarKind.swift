/// Video→AI avatar: `aiAvatar.previewVideoUrl` with its cover `aiAvatar.coverUrl`.
public struct Video2AIAvatarKind: TaskKind {
    public static let name = "video2ai-avatar"
    public static let queryPath = "/v1/common_task/video2aiAvatar/query"

    public static func handles(bizType: String) -> Bool {
        ["COMMON_TASK_VIDEO2AIAVATAR"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.single(result, kind: name, .init(role: VideoItem.videoRole, media: ["aiAvatar", "previewVideoUrl"], cover: ["aiAvatar", "coverUrl"]))
    }
}
