/// Text→video: `videos[]` as image→video.
public struct Text2VideoKind: TaskKind {
    public static let name = "text2video"
    public static let queryPath = "/v1/common_task/text2video/task/query"

    public static func handles(bizType: String) -> Bool {
        ["COMMON_TASK_TEXT2VIDEO"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.list(result, kind: name, .init(role: VideoItem.videoRole, fields: ["videos"], duration: ("duration", .unknown)))
    }
}
