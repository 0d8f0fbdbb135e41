import Foundation
import Synchronization

/// Turns an archive's events into stage durations. An item's stage lasts from its `.stage` event to the item's
/// next stage or its end; the query lasts from the first `.querying` to the first item stage (or the end).
final class StageClock: Sendable {
    private struct State {
        var open: [String: (stage: String, since: ContinuousClock.Instant)] = [:]
        var finished: [(stage: String, duration: Duration)] = []

        mutating func close(_ key: String, at now: ContinuousClock.Instant) {
            guard let (stage, since) = open.removeValue(forKey: key) else { return }
            finished.append((stage, now - since))
        }
    }

    private let state = Mutex(State())

    func observe(_ event: ArchiveEvent) {
        let now = ContinuousClock.now
        state.withLock { state in
            switch event {
            case .querying:
                if state.open["task"] == nil && state.finished.isEmpty { state.open["task"] = ("query", now) }
            case .stage(_, let scriptId, let role, let stage):
                state.close("task", at: now)
                let key = "\(scriptId)-\(role)"
                state.close(key, at: now)
                state.open[key] = (stage, now)
            case .assetDone(_, let scriptId, let role, _, _):
                state.close("\(scriptId)-\(role)", at: now)
            case .taskDone:
                for key in Array(state.open.keys) { state.close(key, at: now) }
            case .waiting, .progress, .transfer, .downloadRetry, .processing, .assetWarning:
                break
            }
        }
    }

    /// The stages that ended so far.
    var durations: [(stage: String, duration: Duration)] { state.withLock { $0.finished } }
}
