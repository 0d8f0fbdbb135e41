/// Image→video: `videos[]` (1–4; `filePath`, `status`, `errorMsg`, maybe `duration` of unknown unit), each may fail alone.
public struct Image2VideoKind: TaskKind {
    public static let name = "image2video"
    public static let queryPath = "/v2/common_task/image2video/task/query"

    public static func handles(bizType: String) -> Bool {
        ["COMMON_TASK_IMAGE2VIDEO"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.list(result, kind: name, .init(role: VideoItem.videoRole, fields: ["videos"], duration: ("duration", .unknown)))
    }
}
