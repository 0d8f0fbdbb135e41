/// Avatar video (`outputVideoUrl`, one video, no cover, no duration). Its bizType is unconfirmed (`ZERO_SHOT_AVATAR`).
public struct VideoAvatarKind: TaskKind {
    public static let name = "video-avatar"
    public static let queryPath = "/v1/video_avatar/task/query"

    public static func handles(bizType: String) -> Bool {
        ["ZERO_SHOT_AVATAR"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.single(result, kind: name, .init(role: VideoItem.videoRole, media: ["outputVideoUrl"]))
    }
}
