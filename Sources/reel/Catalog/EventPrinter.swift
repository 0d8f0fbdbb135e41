import Foundation
import ReelBasics
import Pipeline
import TopView

/// Prints archive events: a progress bar per stage on a terminal, one line per event otherwise.
final class EventPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal = Output.stderrIsTerminal
    private var lastPercent: [String: Int] = [:]
    /// Per asset: the stages seen so far with their start times, for the timing line after each asset.
    private var stages: [String: [(String, ContinuousClock.Instant)]] = [:]
    let quiet: Bool

    init(quiet: Bool) { self.quiet = quiet }

    var sink: @Sendable (ArchiveEvent) -> Void { { [self] event in self.handle(event) } }

    /// A query's retry as one line (`TASK: retrying in 2.0 s (attempt 2/6): HTTP 502`); the detail is in the log at
    /// `REEL_LOG_LEVEL=info`.
    var retry: @Sendable (RetryNotice) -> Void {
        { [self] notice in
            guard !quiet else { return }
            lock.lock()
            defer { lock.unlock() }
            line("\(SafeText.escape(notice.taskId)): \(SafeText.escape(notice.line, limit: 300))")
        }
    }

    private func handle(_ event: ArchiveEvent) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        // Every value of an event can carry upstream text (ids, status, messages quoting errorMsg): escaped.
        let safe = { (text: String) in SafeText.escape(text) }
        switch event {
        case .querying(let task, let attempt):
            if attempt == 1 { line("\(safe(task)): querying") }
        case .waiting(let task, let status):
            line("\(safe(task)): upstream status \(safe(status ?? "unknown")), waiting")
        case .stage(let task, let scriptId, let role, let stage):
            stages["\(task)/\(scriptId)/\(role)", default: []].append((stage, .now))
            line("\(safe(task)) script \(scriptId) \(safe(role)): \(safe(stage))")
        case .progress(let task, let scriptId, let role, let stage, let fraction):
            guard terminal else { return }
            let key = "\(task)/\(scriptId)/\(role)/\(stage)"
            let percent = Int(max(0, min(1, fraction)) * 100)
            guard lastPercent[key] != percent else { return }
            lastPercent[key] = percent
            let filled = percent * 30 / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
            Output.write(Data("\r\(safe(task)) script \(scriptId) \(safe(role)) \(safe(stage)) [\(bar)] \(percent)%\u{1B}[K".utf8), to: .standardError)
        case .assetDone(let task, let scriptId, let role, let state, let detail):
            line("\(safe(task)) script \(scriptId) \(safe(role)): \(safe(state))\(detail.isEmpty ? "" : " (\(SafeText.escape(detail, limit: 1024)))")")
            if let seen = stages.removeValue(forKey: "\(task)/\(scriptId)/\(role)"), !seen.isEmpty {
                let ends = seen.dropFirst().map(\.1) + [ContinuousClock.now]
                let parts = zip(seen, ends).map { stage, end in
                    let d = end - stage.1
                    return String(format: "%@ %.2f s", safe(stage.0), d.inSeconds)
                }
                line("\(safe(task)) script \(scriptId) \(safe(role)): took \(parts.joined(separator: ", "))")
            }
        case .taskDone(let task, let status, let message):
            line("\(safe(task)): \(status == .ok ? "done" : "exit \(status.rawValue)")\(message.map { " — \(SafeText.escape($0, limit: 1024))" } ?? "")")
        }
    }

    private func line(_ text: String) {
        Output.write(Data(((terminal ? "\r\u{1B}[K" : "") + text + "\n").utf8), to: .standardError)
    }
}
