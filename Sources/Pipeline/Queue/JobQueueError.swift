import DurableFiles

/// Every error a ``JobQueue`` throws. Compare with the static members (`error == .notFound`); the context
/// (the job id, the path, the cause) travels with the instance and shows in `description`.
public struct JobQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case notFound
        case invalidTransition
        case invalidJob
        case lockTimeout
        case io
        case encoding
    }

    private let code: Code
    /// The job id or path the error is about.
    public let subject: String
    /// What went wrong: the refused transition, the errno text, the encoding error.
    public let reason: String
    /// The low-level cause, when there is one.
    public let underlying: (any Error & Sendable)?

    private init(_ code: Code, subject: String = "", reason: String = "", underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.subject = subject
        self.reason = reason
        self.underlying = underlying
    }

    /// Two errors are equal when they are of the same kind, whatever their context.
    public static func == (lhs: JobQueueError, rhs: JobQueueError) -> Bool { lhs.code == rhs.code }

    /// No job has this id. The CLI maps it to exit 1.
    public static let notFound = JobQueueError(.notFound)
    /// The job is not in a state the operation applies to (completing a pending job, retrying a running one).
    public static let invalidTransition = JobQueueError(.invalidTransition)
    /// A task id or kind that is not a safe path component, or a reason that is too long.
    public static let invalidJob = JobQueueError(.invalidJob)
    /// Another process held the queue lock longer than the queue's lock timeout.
    public static let lockTimeout = JobQueueError(.lockTimeout)
    /// A filesystem call failed.
    public static let io = JobQueueError(.io)
    /// A job could not be encoded (a bug).
    public static let encoding = JobQueueError(.encoding)

    static func notFound(_ id: String) -> JobQueueError { JobQueueError(.notFound, subject: id) }

    static func invalidTransition(_ job: Job, _ operation: String) -> JobQueueError {
        JobQueueError(.invalidTransition, subject: job.id, reason: "cannot \(operation) a \(job.state.rawValue) job")
    }

    static func invalidJob(_ value: String, _ why: String) -> JobQueueError {
        JobQueueError(.invalidJob, subject: value, reason: why)
    }

    static func lockTimeout(_ path: String) -> JobQueueError { JobQueueError(.lockTimeout, subject: path) }

    static func io(_ cause: FileError) -> JobQueueError {
        JobQueueError(.io, subject: cause.path, reason: "\(cause.reason) at \(cause.path)", underlying: cause)
    }

    static func encoding(_ id: String, _ cause: any Error) -> JobQueueError {
        JobQueueError(.encoding, subject: id, reason: "\(cause)")
    }

    public var description: String {
        switch code {
        case .notFound:
            "No job \(subject) in the queue: `reel jobs ls` lists the jobs (ids are <kind>-<taskId>)."
        case .invalidTransition:
            "Job \(subject): \(reason)."
        case .invalidJob:
            "Job value \(subject) is refused (\(reason))."
        case .lockTimeout:
            "The job queue is locked by another process (lock \(subject)): if no other `reel` is stuck, run the command again."
        case .io:
            "Job queue filesystem error (\(reason)): check that the storage root exists, is writable and has free space."
        case .encoding:
            "Job \(subject) could not be encoded (\(reason)): this is a bug, report it."
        }
    }
}
