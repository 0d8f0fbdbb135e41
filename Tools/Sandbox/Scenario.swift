/// What the sandbox plays for a task, chosen by the task id's prefix (`ready-<uuid>`, `cut-42`, …) so that
/// every test can use a fresh id and get fresh per-task state.
enum Scenario: String, CaseIterable, Sendable {
    case demo, ready, progress, busy, partial, wrongdur, truncated, expiring, cut, changing, liar, late, failed
    /// `duplicate`: two previews of script 0, at different URLs (an upstream fault the archiver must report).
    case duplicate
    /// `stall`: the first GET sends 40 % of the body, then nothing for 600 s; `trickle`: every GET sends slowly.
    case stall, trickle
    case notfound, badkey, credit, html
    /// `svg`: an image kind's outputs are SVG documents (which the archive must refuse).
    case svg

    /// The scenario of a task id: the longest known prefix wins; unknown ids are not found.
    init(taskId: String) {
        let lowered = taskId.lowercased()
        let match = Scenario.allCases
            .filter { lowered.hasPrefix($0.rawValue) }
            .max { $0.rawValue.count < $1.rawValue.count }
        self = match ?? .notfound
    }

    /// The media file served as this task's video (the first GET of `changing` serves `small.mp4`, the later
    /// ones `small-alt.mp4`).
    func videoFile(fetch: Int) -> String {
        switch self {
        case .demo: "demo.mp4"
        case .truncated: "truncated.mp4"
        case .changing: fetch <= 1 ? "small.mp4" : "small-alt.mp4"
        default: "small.mp4"
        }
    }

    var coverFile: String { self == .demo ? "demo.jpg" : "small.jpg" }

    /// Duration reported by the API in µs (wrong on purpose for `wrongdur`).
    var reportedDurationUs: Int {
        switch self {
        case .demo: 36_096_000
        case .wrongdur: 9_000_000
        default: 4_000_000
        }
    }

    /// How a media GET misbehaves.
    enum Fault: Sendable {
        case none
        /// Send this fraction of the body, then drop the connection.
        case cut(fraction: Double)
        /// Announce more bytes than are sent, then drop the connection.
        case overstatedLength(extra: Int)
        /// Send this fraction of the body, then go silent for `seconds` before dropping the connection.
        case stall(fraction: Double, seconds: Double)
        /// Send the whole body in `chunk`-byte pieces, `delayMs` apart (slow but alive).
        case trickle(chunk: Int, delayMs: Int)
    }

    func videoFault(fetch: Int) -> Fault {
        switch self {
        case .cut, .changing: fetch <= 1 ? .cut(fraction: 0.4) : .none
        case .liar: .overstatedLength(extra: 1024)
        case .stall: fetch <= 1 ? .stall(fraction: 0.4, seconds: 600) : .none
        case .trickle: .trickle(chunk: 4 * 1024, delayMs: 100)
        default: .none
        }
    }
}
