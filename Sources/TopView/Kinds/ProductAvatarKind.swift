/// Product avatar image→video: `finishedVideoUrl` (older endpoints call the status `taskStatus`).
public struct ProductAvatarKind: TaskKind {
    public static let name = "product-avatar"
    public static let queryPath = "/v2/product_avatar/task/image2Video/query"

    public static func handles(bizType: String) -> Bool {
        ["PRODUCT_AVATAR_IMAGE2VIDEO"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.single(result, kind: name, .init(role: VideoItem.videoRole, media: ["finishedVideoUrl"]))
    }
}
