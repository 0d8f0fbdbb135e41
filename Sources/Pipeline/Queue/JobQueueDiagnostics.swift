/// What an operator needs to know about a queue beyond its jobs, read without changing anything: for `reel jobs ls`,
/// which must work on a read-only storage root (a mounted backup) and warn about records the queue cannot read.
///
/// A separate seam from ``JobQueue``: the worker pool never needs it, and each backend has its own idea of an
/// unreadable record (a job file that does not decode, a row whose payload does not).
public protocol JobQueueDiagnostics: Sendable {
    /// The jobs in `state` (every job if `nil`), oldest first, read without writing, creating or repairing anything;
    /// records that exist but cannot be read are skipped and named.
    func inspect(state: JobState?) async throws -> JobQueueInspection
}

/// What ``JobQueueDiagnostics/inspect(state:)`` found.
public struct JobQueueInspection: Sendable, Equatable {
    /// The readable jobs, oldest first.
    public var jobs: [Job]
    /// Records that exist but could not be read, named so an operator can find them (`queue/pending/<id>.json`).
    public var unreadable: [String]
    /// Records the queue set aside earlier as unreadable (`queue/corrupt/<name>`), oldest first.
    public var quarantined: [String]

    public init(jobs: [Job], unreadable: [String] = [], quarantined: [String] = []) {
        self.jobs = jobs
        self.unreadable = unreadable
        self.quarantined = quarantined
    }
}
