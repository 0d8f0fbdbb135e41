/// Photo avatar (Avatar 4): `finishedVideoUrl` with its cover `finishedVideoCoverUrl`; `aiAvatar` is the template, not the output.
public struct PhotoAvatarKind: TaskKind {
    public static let name = "photo-avatar"
    public static let queryPath = "/v1/photo_avatar/task/query"

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.single(result, kind: name, .init(role: VideoItem.videoRole, media: ["finishedVideoUrl"], cover: ["finishedVideoCoverUrl"]))
    }
}
