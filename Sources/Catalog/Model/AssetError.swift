/// Why an asset failed, or (with an archived asset) what about it needs attention.
public struct AssetError: Codable, Sendable, Equatable, Hashable {
    /// A stable code: the upstream's error code, or one of ours (`download`, `verify`, ``duplicateItemCode``, ...).
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The upstream listed several items with one `scriptId` and role: the first is archived, the others are not.
    public static let duplicateItemCode = "upstream.duplicate_item"

    /// ``duplicateItemCode`` for the item of `scriptId` and `role`, naming every URL listed for it (the archived
    /// one first) without query string, fragment or user info; `nil` stands for an item without a video URL.
    public static func duplicateItem(scriptId: Int, role: AssetRole, urls: [String?]) -> AssetError {
        let named = urls.map { $0.map(FileRecord.redacted) ?? "(no videoUrl)" }
        return AssetError(code: duplicateItemCode, message: "the upstream lists \(urls.count) items for script \(scriptId) "
            + "\(role.rawValue); the first is archived, the others are not: \(named.joined(separator: ", "))")
    }
}
