import Catalog
import ReelBasics
import UnixSignals

/// Ctrl-C for the commands that work for a while (`reel archive`): the first SIGINT or SIGTERM cancels the work, which
/// stops at its next frame or chunk and keeps what it has (archived assets, kept sources, partial downloads); the
/// command then says what was kept and that a rerun resumes it, and exits 130.
enum Interruption {
    /// Runs `work`, cancelling it at the first SIGINT or SIGTERM.
    static func stoppingOnSignal(_ work: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await work()
                return true
            }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { return false }
                return false
            }
            defer { group.cancelAll() }
            guard let finished = try await group.next(), !finished else { return }
            // The signal came first: the work is cancelled and finishes by itself (it throws the summary).
            group.cancelAll()
            do {
                while let next = try await group.next() { if next { break } }
            } catch is CancellationError {
                throw ReelExit(code: ReelExit.interrupted, message: "interrupted before anything was kept; run the command again")
            }
        }
    }

    /// `interrupted: TASK keeps 1 archived asset, 1 downloaded source; …` and how to resume.
    static func keptSummary(_ manifests: [TaskManifest], command: String) -> String {
        let parts = manifests.filter { !$0.assets.isEmpty }.map { m -> String in
            let archived = m.assets.count { $0.state == .archived }
            let sources = m.assets.count { $0.state != .archived && $0.source != nil }
            var kept: [String] = []
            if archived > 0 { kept.append("\(archived) archived asset\(archived == 1 ? "" : "s")") }
            if sources > 0 { kept.append("\(sources) downloaded source\(sources == 1 ? "" : "s") (not downloaded again)") }
            return "\(SafeText.escape(m.taskId)) keeps " + (kept.isEmpty ? "its partial downloads (resumed where they stopped)" : kept.joined(separator: ", "))
        }
        let ids = manifests.map { SafeText.escape($0.taskId) }.joined(separator: " ")
        return "interrupted: " + (parts.isEmpty ? "nothing was kept yet" : parts.joined(separator: "; "))
            + ". Run \(command) \(ids.isEmpty ? "TASK" : ids) again to resume; nothing is downloaded twice."
    }
}
