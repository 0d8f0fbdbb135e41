/// Text→image: `images[]` (1–4; `filePath`, `width`, `height`, `status`).
public struct Text2ImageKind: TaskKind {
    public static let name = "text2image"
    public static let queryPath = "/v1/common_task/text2image/task/query"

    public static func handles(bizType: String) -> Bool {
        ["COMMON_TASK_TEXT2IMAGE"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.list(result, kind: name, .init(role: VideoItem.imageRole, fields: ["images"]))
    }
}
