/// Image edit: `images[]` as text→image.
public struct ImageEditKind: TaskKind {
    public static let name = "image-edit"
    public static let queryPath = "/v1/common_task/image_edit/task/query"

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.list(result, kind: name, .init(role: VideoItem.imageRole, fields: ["images"]))
    }
}
