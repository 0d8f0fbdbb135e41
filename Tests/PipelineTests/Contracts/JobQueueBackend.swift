import Foundation
@testable import Pipeline

/// One implementation of ``JobQueue`` under the contract (``JobQueueCheck``): how to open a fresh, empty queue, more
/// handles onto it, and an owner it treats as gone. A new backend (PostgreSQL) adds one value of this type and one
/// `@Test(arguments: JobQueueCheck.allCases)` that runs every check on it.
struct JobQueueBackend: Sendable, CustomStringConvertible {
    let name: String
    /// Runs `body` with a fresh, empty queue retrying by `policy`, and removes it afterwards.
    let withQueue: @Sendable (JobRetryPolicy, @Sendable (JobQueueFixture) async throws -> Void) async throws -> Void

    var description: String { name }

    func run(policy: JobRetryPolicy = .init(), _ body: @Sendable (JobQueueFixture) async throws -> Void) async throws {
        try await withQueue(policy, body)
    }
}

/// A queue under test, as a check sees it.
struct JobQueueFixture: Sendable {
    let queue: any JobQueue
    /// Another handle onto the same jobs, as another process (or another connection) opens it; the same instance
    /// where there is no other kind of handle.
    let reopen: @Sendable () -> any JobQueue
    /// A new owner string that this backend's `recover` treats as gone: a process that has ended, a lease that
    /// has expired. Claiming with it stands for a worker that then vanished.
    let vanishedOwner: @Sendable () throws -> String
    /// An owner that stays alive for the whole check.
    var liveOwner: String { JobOwner.current }
}

extension JobQueueBackend {
    /// The embedded queue: files under a temporary storage root; a reopened handle is a second instance on that
    /// root (its own lock descriptions and cache, as another process has); a vanished owner is a dead pid of this host.
    /// The lock waits are long (``patientLock``): the checks are about what the queue does, not how long a wait lasts.
    static let file = JobQueueBackend(name: "FileJobQueue") { policy, body in
        try await withQueueRoot { root in
            let fixture = JobQueueFixture(
                queue: FileJobQueue(root: root, retryPolicy: policy, lockTimeout: patientLock),
                reopen: { FileJobQueue(root: root, retryPolicy: policy, lockTimeout: patientLock) },
                vanishedOwner: { "\(JobOwner.hostname):\(try queueDeadPID())" })
            try await body(fixture)
        }
    }

    /// The in-memory queue with its default owner rule (a dead pid of this host is gone).
    static let memory = JobQueueBackend(name: "MemoryJobQueue") { policy, body in
        let queue = MemoryJobQueue(retryPolicy: policy)
        try await body(JobQueueFixture(queue: queue, reopen: { queue }, vanishedOwner: { "\(JobOwner.hostname):\(try queueDeadPID())" }))
    }
}
