/// Which of a script's two videos an asset is.
public enum AssetRole: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case preview
    case export

    /// Previews sort before exports.
    public static func < (lhs: AssetRole, rhs: AssetRole) -> Bool {
        lhs == .preview && rhs == .export
    }
}
