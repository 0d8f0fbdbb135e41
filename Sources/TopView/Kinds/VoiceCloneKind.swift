/// Voice clone: `voice.demoAudioUrl` (no duration).
public struct VoiceCloneKind: TaskKind {
    public static let name = "voice-clone"
    public static let queryPath = "/v1/voice/clone/task/query"

    public static func handles(bizType: String) -> Bool {
        ["VOICE_CLONE"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.single(result, kind: name, .init(role: VideoItem.audioRole, media: ["voice", "demoAudioUrl"]))
    }
}
