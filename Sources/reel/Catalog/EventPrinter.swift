import Foundation
import ReelBasics
import Pipeline
import TopView

/// Prints archive events: a progress bar per stage on a terminal, one line per event otherwise.
final class EventPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal = Output.stderrIsTerminal
    private var lastPercent: [String: Int] = [:]
    /// Per stage: when it started (for the ETA) and when its last line was printed (for the heartbeat).
    private var stageStarted: [String: ContinuousClock.Instant] = [:]
    private var lastLine: [String: ContinuousClock.Instant] = [:]
    /// Per asset: what its decode pass makes, the media's length in seconds and its frame rate.
    private var processing: [String: (parts: String, length: Double?, frameRate: Double?)] = [:]
    /// Per download: the bytes on disk and the time of its first progress (for the speed).
    private var transferBase: [String: (Int64, ContinuousClock.Instant)] = [:]
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
            stageStarted["\(task)/\(scriptId)/\(role)/\(stage)"] = .now
            line("\(safe(task)) script \(scriptId) \(safe(role)): \(safe(stage))")
        case .processing(let task, let scriptId, let role, let parts, let mediaSeconds, let frameRate):
            // Kept for the progress of the pass: its frames per second and speed, and what it makes.
            processing["\(task)/\(scriptId)/\(role)"] = (parts, mediaSeconds, frameRate)
        case .progress(let task, let scriptId, let role, let stage, let fraction):
            var amount = ""
            if stage == "process", let pass = processing["\(task)/\(scriptId)/\(role)"] {
                // What the one decode makes (verify, stills, each rendition), then frames per second and the speed
                // against real time, as ffmpeg shows them (`fps=… speed=…x`).
                amount = "(\(safe(pass.parts))) "
                if let length = pass.length, let started = stageStarted["\(task)/\(scriptId)/\(role)/process"] {
                    let elapsed = (ContinuousClock.now - started).inSeconds
                    if elapsed >= 0.5, fraction > 0 {
                        if let rate = pass.frameRate, rate > 0 { amount += String(format: "%.0f fps ", fraction * length * rate / elapsed) }
                        amount += String(format: "%.1fx ", fraction * length / elapsed)
                    }
                }
            }
            draw(task: task, scriptId: scriptId, role: role, stage: stage, fraction: fraction, amount: amount)
        case .transfer(let task, let scriptId, let role, let received, let total):
            // Bytes, and the speed since this download (or its resumption) began.
            let key = "\(task)/\(scriptId)/\(role)/download"
            let now = ContinuousClock.now
            let base = transferBase[key] ?? (received, now)
            transferBase[key] = base
            let seconds = (now - base.1).inSeconds
            let speed = seconds >= 0.5 ? String(format: " %.1f MiB/s", Double(received - base.0) / 1_048_576 / seconds) : ""
            let amount = String(format: "%.1f/%.1f MiB", Double(received) / 1_048_576, Double(total) / 1_048_576) + speed + " "
            draw(task: task, scriptId: scriptId, role: role, stage: "download", fraction: Double(received) / Double(total), amount: amount)
        case .downloadRetry(let task, let scriptId, let role, let text):
            transferBase["\(task)/\(scriptId)/\(role)/download"] = nil
            line("\(safe(task)) script \(scriptId) \(safe(role)): \(SafeText.escape(text, limit: 300))")
        case .assetDone(let task, let scriptId, let role, let state, let detail):
            let shown = Output.verdict(SafeText.escape(detail, limit: 1024), terminal: terminal)
            line("\(safe(task)) script \(scriptId) \(safe(role)): \(safe(state))\(detail.isEmpty ? "" : " (\(shown))")")
            if let seen = stages.removeValue(forKey: "\(task)/\(scriptId)/\(role)"), !seen.isEmpty {
                let ends = seen.dropFirst().map(\.1) + [ContinuousClock.now]
                let parts = zip(seen, ends).map { stage, end in
                    let d = end - stage.1
                    return String(format: "%@ %.2f s", safe(stage.0), d.inSeconds)
                }
                line("\(safe(task)) script \(scriptId) \(safe(role)): took \(parts.joined(separator: ", "))")
            }
        case .assetWarning(let task, let scriptId, let role, let text):
            line("warning: \(safe(task)) script \(scriptId) \(safe(role)): \(SafeText.escape(text, limit: 300))")
        case .taskDone(let task, let status, let message):
            // One voice with the rest of the CLI: a task that is not done is an `error:` (or a `warning:` when it is only
            // not settled upstream yet), its exit code and what to do in the same line.
            let said = message.map { " — \(SafeText.escape($0, limit: 1024))" } ?? ""
            switch status {
            case .ok: line("\(safe(task)): done\(said)")
            case .notSettled: line("warning: \(safe(task)): exit \(status.rawValue)\(said)")
            default: line("error: \(safe(task)): exit \(status.rawValue)\(said)")
            }
        }
    }

    /// One stage's progress: a bar redrawn on a terminal (never wider than it, the percentage, `amount` and an ETA in
    /// view), a heartbeat line at least every 10 s otherwise. Called with the lock held.
    private func draw(task: String, scriptId: Int, role: String, stage: String, fraction: Double, amount: String) {
        let safe = { (text: String) in SafeText.escape(text) }
        let key = "\(task)/\(scriptId)/\(role)/\(stage)"
        let now = ContinuousClock.now
        let started = stageStarted[key] ?? now
        stageStarted[key] = started
        let percent = Int(max(0, min(1, fraction)) * 100)
        // The time left, once enough is done to tell.
        var eta = ""
        if fraction >= 0.02, fraction < 1 {
            let left = (now - started).inSeconds * (1 - fraction) / fraction
            eta = left < 1 ? " ETA <1 s" : " ETA \(Int(left.rounded())) s"
        }
        let label = "\(safe(task)) script \(scriptId) \(safe(role)) \(safe(stage)) "
        guard terminal else {
            if now - (lastLine[key] ?? started) >= .seconds(10) {
                lastLine[key] = now
                line(label + amount + "\(percent)%\(eta)")
            }
            return
        }
        guard lastPercent[key] != percent else { return }
        lastPercent[key] = percent
        // The bar takes what the terminal leaves (up to 20 columns), so the numbers stay in view; on a terminal too
        // narrow for the amount too, the percentage and the ETA come first.
        let width = Output.terminalColumns - 1
        let numbers = label.count + amount.count + "\(percent)%\(eta)".count <= width ? amount + "\(percent)%\(eta)" : "\(percent)%\(eta)"
        let room = min(20, width - label.count - numbers.count - 3)
        var bar = ""
        if room >= 5 {
            let filled = percent * room / 100
            bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: room - filled) + "] "
        }
        Output.progress(label + bar + numbers)
    }

    private func line(_ text: String) {
        Output.error(text) // clears the progress line first
    }
}
