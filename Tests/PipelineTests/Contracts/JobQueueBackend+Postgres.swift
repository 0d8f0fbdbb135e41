import Foundation
@testable import Pipeline
import PostgresNIO
import ReelPostgres

extension JobQueueBackend {
    /// The PostgreSQL queue on a fresh database of the test server; a reopened handle is a second queue instance on
    /// the same client (as another process has); a vanished owner is a dead pid of this host (rescued at once; an
    /// expired lease is the other way, tested on its own).
    static let postgres = JobQueueBackend(name: "PostgresJobQueue") { policy, body in
        try await PostgresTestDatabase.withDatabase { client, _ in
            let make = { @Sendable in
                PostgresJobQueue(client: client, owner: JobOwner.current, retryPolicy: policy, logger: PostgresTestDatabase.logger)
            }
            try await body(JobQueueFixture(queue: make(), reopen: make,
                                           vanishedOwner: { "\(JobOwner.hostname):\(try queueDeadPID())" }))
        }
    }
}
