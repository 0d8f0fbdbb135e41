/// Text→voice: `voice.demoAudioUrl`, its duration `voice.durations` in seconds.
public struct Text2VoiceKind: TaskKind {
    public static let name = "text2voice"
    public static let queryPath = "/v1/voice/text2voice/task/query"

    public static func handles(bizType: String) -> Bool {
        ["VOICE_TEXT2VOICE"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.single(result, kind: name, .init(role: VideoItem.audioRole, media: ["voice", "demoAudioUrl"], duration: (["voice", "durations"], .seconds)))
    }
}
