/// Why an asset failed.
public struct AssetError: Codable, Sendable, Equatable, Hashable {
    /// A stable code: the upstream's error code, or one of ours (`download`, `verify`, ...).
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
