import Foundation

/// One line of `reel ls`: what the index knows about a task, without its manifest.
public struct TaskSummary: Codable, Sendable, Equatable {
    public var taskId: String
    public var kind: String
    /// The upstream's task status.
    public var status: String?
    public var assetCount: Int
    public var archivedCount: Int
    public var failedCount: Int
    /// The distinct verdicts of the task's verified assets, sorted.
    public var verdicts: [String]
    /// The distinct states of the task's assets, sorted.
    public var states: [String]
    /// The distinct script ids of the task's assets, ascending.
    public var scriptIds: [Int]
    public var updatedAt: Date
    /// When the task was first fully archived (``TaskManifest/archivedAt``).
    public var archivedAt: Date?
    /// Badges, duration and poster for lists (nil from an index row written before cards were kept).
    public var card: TaskCard?

    public init(
        taskId: String,
        kind: String,
        status: String?,
        assetCount: Int,
        archivedCount: Int,
        failedCount: Int,
        verdicts: [String],
        states: [String],
        scriptIds: [Int],
        updatedAt: Date,
        archivedAt: Date? = nil,
        card: TaskCard? = nil
    ) {
        self.taskId = taskId
        self.kind = kind
        self.status = status
        self.assetCount = assetCount
        self.archivedCount = archivedCount
        self.failedCount = failedCount
        self.verdicts = verdicts
        self.states = states
        self.scriptIds = scriptIds
        self.updatedAt = updatedAt
        self.archivedAt = archivedAt
        self.card = card
    }

    /// The summary of a manifest, as the index stores it.
    public init(_ manifest: TaskManifest) {
        self.init(
            taskId: manifest.taskId,
            kind: manifest.kind,
            status: manifest.status,
            assetCount: manifest.assets.count,
            archivedCount: manifest.assets.count { $0.state == .archived },
            failedCount: manifest.assets.count { $0.state == .failed },
            verdicts: Set(manifest.assets.compactMap(\.verification?.verdict)).sorted(),
            states: Set(manifest.assets.map(\.state.rawValue)).sorted(),
            scriptIds: Set(manifest.assets.map(\.scriptId)).sorted(),
            updatedAt: manifest.updatedAt,
            // A manifest written before `archivedAt` existed: its last save stands for it.
            archivedAt: manifest.archivedAt ?? (manifest.isFullyArchived ? manifest.updatedAt : nil),
            card: TaskCard(manifest)
        )
    }

    private enum CodingKeys: String, CodingKey {
        case taskId, kind, status, assetCount, archivedCount, failedCount, verdicts, states, scriptIds, updatedAt, archivedAt
        case taskState, durationUs, poster, assets
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            taskId: try c.decode(String.self, forKey: .taskId),
            kind: try c.decodeIfPresent(String.self, forKey: .kind) ?? "m2v",
            status: try c.decodeIfPresent(String.self, forKey: .status),
            assetCount: try c.decodeIfPresent(Int.self, forKey: .assetCount) ?? 0,
            archivedCount: try c.decodeIfPresent(Int.self, forKey: .archivedCount) ?? 0,
            failedCount: try c.decodeIfPresent(Int.self, forKey: .failedCount) ?? 0,
            verdicts: try c.decodeList([String].self, forKey: .verdicts),
            states: try c.decodeList([String].self, forKey: .states),
            scriptIds: try c.decodeList([Int].self, forKey: .scriptIds),
            updatedAt: try c.decodeIfPresent(Date.self, forKey: .updatedAt) ?? Date(timeIntervalSince1970: 0),
            archivedAt: try c.decodeIfPresent(Date.self, forKey: .archivedAt),
            card: try c.decodeIfPresent([IndexedAsset].self, forKey: .assets).map { assets in
                TaskCard(assets: assets, durationUs: try c.decodeIfPresent(Int64.self, forKey: .durationUs),
                         poster: try c.decodeIfPresent(TaskCard.Poster.self, forKey: .poster))
            }
        )
    }

    /// Every key is written, `null` when absent; `taskState` is derived (``taskState``), the card's fields sit beside the
    /// counts (`assets` is `null` for an index row written before cards were kept).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(taskId, forKey: .taskId)
        try c.encode(kind, forKey: .kind)
        try c.encode(status, forKey: .status)
        try c.encode(assetCount, forKey: .assetCount)
        try c.encode(archivedCount, forKey: .archivedCount)
        try c.encode(failedCount, forKey: .failedCount)
        try c.encode(verdicts, forKey: .verdicts)
        try c.encode(states, forKey: .states)
        try c.encode(scriptIds, forKey: .scriptIds)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(archivedAt, forKey: .archivedAt)
        try c.encode(taskState, forKey: .taskState)
        try c.encode(card?.durationUs, forKey: .durationUs)
        try c.encode(card?.poster, forKey: .poster)
        try c.encode(card?.assets, forKey: .assets)
    }
}
