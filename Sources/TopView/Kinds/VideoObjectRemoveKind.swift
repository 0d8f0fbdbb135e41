/// Video object removal: `outputVideoUrl`, its cover `outputCoverUrl`, and `outputDuration` in milliseconds.
public struct VideoObjectRemoveKind: TaskKind {
    public static let name = "video-object-remove"
    public static let queryPath = "/v1/common-task/video-object-remove/query"

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.single(result, kind: name, .init(role: VideoItem.videoRole, media: ["outputVideoUrl"], cover: ["outputCoverUrl"], duration: (["outputDuration"], .milliseconds)))
    }
}
