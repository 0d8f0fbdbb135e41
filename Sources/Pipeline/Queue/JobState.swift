/// Where a job is in its life.
///
/// ```
/// pending ──claim──▶ running ──complete──▶ done
///    ▲                  │ └─────fail (attempts left)──▶ pending (notBefore = backoff)
///    │                  └──────fail (no attempts left)─▶ failed
///    └── retry / enqueue ◀── failed, cancelled, done (enqueue only)
/// pending ──cancel──▶ cancelled;  running ──cancel──▶ running + cancelRequested ──complete/fail──▶ cancelled
/// ```
public enum JobState: String, Codable, Sendable, CaseIterable {
    case pending, running, done, failed, cancelled

    /// Done, failed or cancelled: the job waits for nothing.
    public var isFinished: Bool {
        switch self {
        case .pending, .running: false
        case .done, .failed, .cancelled: true
        }
    }
}
