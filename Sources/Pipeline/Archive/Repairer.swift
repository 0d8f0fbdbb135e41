import Catalog
import Foundation
import Logging
import Media
import TopView

/// `reel verify --repair`: makes a task whole again from what it keeps. An asset with a missing or changed file is put
/// back to pending (its records kept) and archived again: from its kept source when that is whole (every derived file
/// — poster, stills, storyboard, the ladder's renditions — made again, no download), else from a fresh download after
/// re-querying the task. Renditions it had beyond the ladder (`reel render`) are made again too. Leftover staging is
/// removed by the task lock; an orphan file or an unparsable manifest is left for a person to look at.
public struct Repairer: Sendable {
    public let archiver: Archiver
    public let renderer: Renderer

    public init(archiver: Archiver, renderer: Renderer) {
        self.archiver = archiver
        self.renderer = renderer
    }

    /// What the repair of one task did.
    public struct Outcome: Sendable, Equatable {
        /// Assets archived again (`script 0 preview`).
        public var repaired: [String]
        /// Problems after the repair (empty: the task is whole).
        public var remaining: [FixityProblem]
        /// A line for people: what was done.
        public var summary: String
    }

    /// The file kinds a repair makes whole again.
    static let repairable: Set<FixityProblem.Kind> = [.missingFile, .hashMismatch, .sizeMismatch, .leftoverStaging]

    /// Repairs task `id`, whose last check found `problems`.
    public func repair(_ id: TaskID, problems: [FixityProblem]) async throws -> Outcome {
        let catalog = archiver.context.catalog
        let damaged = Set(problems.filter { [.missingFile, .hashMismatch, .sizeMismatch].contains($0.kind) }.map(\.path))
        // The assets archived again, with their renditions beyond the ladder (made again after).
        var redo: [(scriptId: Int, role: AssetRole, extraPresets: [String])] = []
        var kind = TaskKinds.defaultKind
        if !damaged.isEmpty {
            try await catalog.withTaskLock(id, timeout: .seconds(120)) {
                guard var manifest = try await catalog.manifest(for: id) else { return }
                kind = TaskKinds.kind(named: manifest.kind) ?? kind
                let ladder = Set(archiver.context.settings.presets.map(\.name))
                for var asset in manifest.assets where !damaged.isDisjoint(with: asset.referencedPaths) {
                    redo.append((asset.scriptId, asset.role, asset.renditions.map(\.preset).filter { !ladder.contains($0) }))
                    asset.state = .pending
                    asset.error = nil
                    manifest.upsert(asset)
                }
                try await catalog.save(manifest)
            }
        } else {
            // Leftovers only: taking the task's lock removes them.
            try await catalog.withTaskLock(id, timeout: .seconds(120)) {}
        }
        let repaired = redo.map { "script \($0.scriptId) \($0.role.rawValue)" }
        var notes: [String] = []
        if !redo.isEmpty {
            let outcome = await archiver.archive(taskId: id.rawValue, kind: kind)
            if outcome.status != .ok, let message = outcome.message { notes.append(message) }
            for asset in redo where !asset.extraPresets.isEmpty {
                let presets = asset.extraPresets.compactMap { try? RenditionPreset(parsing: $0) }
                _ = try? await renderer.render(taskId: id, scriptId: asset.scriptId, role: asset.role, presets: presets)
            }
        }
        let remaining = try await catalog.verify(id)
        let leftovers = problems.filter { $0.kind == .leftoverStaging }.count
        var done: [String] = []
        if !repaired.isEmpty { done.append("archived again: \(repaired.joined(separator: ", "))") }
        if leftovers > 0 { done.append("removed \(leftovers) leftover file\(leftovers == 1 ? "" : "s")") }
        let left = remaining.filter { !Self.repairable.contains($0.kind) }
        var summary = done.isEmpty ? "nothing to repair" : done.joined(separator: "; ")
        if !left.isEmpty { summary += "; left for you: " + Set(left.map(\.kind.rawValue)).sorted().joined(separator: ", ") }
        if !notes.isEmpty { summary += " (\(notes.joined(separator: "; ")))" }
        return Outcome(repaired: repaired, remaining: remaining, summary: summary)
    }
}
