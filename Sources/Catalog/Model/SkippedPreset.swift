/// A rendition preset that was not produced, and why (e.g. the source is smaller than the preset).
public struct SkippedPreset: Codable, Sendable, Equatable, Hashable {
    public var preset: String
    public var reason: String

    public init(preset: String, reason: String) {
        self.preset = preset
        self.reason = reason
    }
}
