/// Omni reference: `videos[]` as image→video.
public struct OmniReferenceKind: TaskKind {
    public static let name = "omni-reference"
    public static let queryPath = "/v1/common_task/omni_reference/task/query"

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.list(result, kind: name, .init(role: VideoItem.videoRole, fields: ["videos"], duration: ("duration", .unknown)))
    }
}
