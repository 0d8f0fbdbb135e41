/// Something `Catalog.verify` found wrong with the files on disk.
public struct FixityProblem: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// A catalogued file's SHA-256 differs from the manifest's (its bytes changed).
        case hashMismatch
        /// A catalogued file's size differs from the manifest's.
        case sizeMismatch
        /// A file the manifest references is not there.
        case missingFile
        /// A manifest references a path that could escape the storage root.
        case unsafePath
        /// A file in a task directory that no manifest references.
        case orphanFile
        /// A file left in `.staging/`, or a manifest temporary file, by an interrupted run; or a partial download in
        /// `.partial/` that can no longer be resumed (no sidecar, or untouched for 7 days).
        case leftoverStaging
        /// A `manifest.json` that does not decode.
        case unparsableManifest
        /// A directory under `tasks/` that is not a safe task id in its right shard.
        case misplacedTask
    }

    public var kind: Kind
    /// The task concerned, when known.
    public var taskId: String?
    /// The path concerned, relative to the storage root.
    public var path: String
    /// What was expected and what was found.
    public var detail: String

    public init(kind: Kind, taskId: String?, path: String, detail: String) {
        self.kind = kind
        self.taskId = taskId
        self.path = path
        self.detail = detail
    }

    public var description: String {
        "\(kind.rawValue) \(path): \(detail)"
    }

    private enum CodingKeys: String, CodingKey {
        case kind, taskId, path, detail
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        taskId = try c.decodeIfPresent(String.self, forKey: .taskId)
        path = try c.decode(String.self, forKey: .path)
        detail = try c.decodeIfPresent(String.self, forKey: .detail) ?? ""
    }

    /// Every key is written, `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(taskId, forKey: .taskId)
        try c.encode(path, forKey: .path)
        try c.encode(detail, forKey: .detail)
    }
}
