import Foundation

/// Everything the catalog knows about one task: the truth that the index is derived from, and the
/// `reel show --json` contract (every key always present, `null` when it does not apply).
public struct TaskManifest: Codable, Sendable, Equatable {
    /// The schema this program writes.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var taskId: String
    /// The TopView task kind (`m2v`, ...).
    public var kind: String
    /// The upstream's task status (`success`, `fail`, `running`, ...), as reported.
    public var status: String?
    /// The upstream's error message for the task.
    public var errorMsg: String?
    /// Sorted by `scriptId`, then previews before exports.
    public var assets: [AssetRecord]
    public var createdAt: Date
    public var updatedAt: Date
    /// When the task was first fully archived (every asset made upstream archived, at least one): set by the save that
    /// gets it there, kept afterwards. `nil` until then.
    public var archivedAt: Date?
    /// The last fixity check (`reel verify`); `nil` before one ran on a writable root.
    public var fixity: FixityRecord?
    /// On an object store, the task-lock token of the process that last took the task (`null` on a local root): a new
    /// holder writes it first, which changes the manifest's version, so a paused former holder's later conditional
    /// write is refused (``ManifestConflict``).
    public var writer: String?

    public init(
        taskId: TaskID,
        kind: String,
        status: String? = nil,
        errorMsg: String? = nil,
        assets: [AssetRecord] = [],
        createdAt: Date = Date(),
        updatedAt: Date? = nil,
        schemaVersion: Int = TaskManifest.currentSchemaVersion
    ) {
        self.schemaVersion = schemaVersion
        self.taskId = taskId.rawValue
        self.kind = kind
        self.status = status
        self.errorMsg = errorMsg
        self.assets = assets.sorted(by: Self.order)
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// The validated task id; throws ``CatalogError/unsafeTaskID`` if `taskId` was set to an unsafe value.
    public func id() throws(CatalogError) -> TaskID {
        try TaskID(validating: taskId)
    }

    /// The asset of `scriptId` in `role`, if the manifest has one.
    public func asset(scriptId: Int, role: AssetRole) -> AssetRecord? {
        assets.first { $0.scriptId == scriptId && $0.role == role }
    }

    /// Replaces the asset with the same `scriptId` and `role`, or adds it, keeping the order.
    public mutating func upsert(_ asset: AssetRecord) {
        if let index = assets.firstIndex(where: { $0.scriptId == asset.scriptId && $0.role == asset.role }) {
            assets[index] = asset
        } else {
            assets.append(asset)
            assets.sort(by: Self.order)
        }
    }

    /// Every asset made upstream is archived (an `absent` one is not made yet), and there is at least one.
    public var isFullyArchived: Bool {
        assets.contains { $0.state == .archived } && assets.allSatisfy { $0.state == .archived || $0.state == .absent }
    }

    /// Every catalogued file the manifest references, as paths relative to the storage root.
    public var referencedPaths: [String] { assets.flatMap(\.referencedPaths) }

    static func order(_ a: AssetRecord, _ b: AssetRecord) -> Bool {
        (a.scriptId, a.role == .preview ? 0 : 1) < (b.scriptId, b.role == .preview ? 0 : 1)
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion, taskId, kind, status, errorMsg, assets, createdAt, updatedAt, archivedAt, fixity, writer
    }

    /// Liberal: only `taskId` is required; a missing `kind` reads as `m2v`, missing dates as the epoch
    /// (or `createdAt` for a missing `updatedAt`), missing lists as empty; unknown keys are ignored.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decodeIfPresent(Int.self, forKey: .schemaVersion) ?? Self.currentSchemaVersion
        taskId = try c.decode(String.self, forKey: .taskId)
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "m2v"
        status = try c.decodeIfPresent(String.self, forKey: .status)
        errorMsg = try c.decodeIfPresent(String.self, forKey: .errorMsg)
        assets = try c.decodeList([AssetRecord].self, forKey: .assets)
        createdAt = try c.decodeIfPresent(Date.self, forKey: .createdAt) ?? Date(timeIntervalSince1970: 0)
        updatedAt = try c.decodeIfPresent(Date.self, forKey: .updatedAt) ?? createdAt
        archivedAt = try c.decodeIfPresent(Date.self, forKey: .archivedAt)
        fixity = try c.decodeIfPresent(FixityRecord.self, forKey: .fixity)
        writer = try c.decodeIfPresent(String.self, forKey: .writer)
    }

    /// Every key is written, `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(taskId, forKey: .taskId)
        try c.encode(kind, forKey: .kind)
        try c.encode(status, forKey: .status)
        try c.encode(errorMsg, forKey: .errorMsg)
        try c.encode(assets, forKey: .assets)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(archivedAt, forKey: .archivedAt)
        try c.encode(fixity, forKey: .fixity)
        try c.encode(writer, forKey: .writer)
    }
}
