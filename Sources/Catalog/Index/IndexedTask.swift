import Foundation

/// What the index keeps of one task: its summary (a line of `reel ls`) and one row per asset for filtering.
public struct IndexedTask: Sendable, Equatable {
    public var summary: TaskSummary
    public var assets: [IndexedAsset]

    public init(summary: TaskSummary, assets: [IndexedAsset]) {
        self.summary = summary
        self.assets = assets
    }

    /// The rows of `manifest`.
    public init(_ manifest: TaskManifest) {
        summary = TaskSummary(manifest)
        assets = manifest.assets.map(IndexedAsset.init)
    }
}

/// One asset as the index filters on it (``TaskFilter``).
public struct IndexedAsset: Codable, Sendable, Equatable {
    public var scriptId: Int
    public var role: AssetRole
    public var state: String
    public var verdict: String?

    public init(scriptId: Int, role: AssetRole, state: String, verdict: String?) {
        self.scriptId = scriptId
        self.role = role
        self.state = state
        self.verdict = verdict
    }

    /// The row of one asset of a manifest.
    public init(_ asset: AssetRecord) {
        self.init(scriptId: asset.scriptId, role: asset.role, state: asset.state.rawValue, verdict: asset.verification?.verdict)
    }
}
