import ArgumentParser
import Foundation
import Pipeline
import PostgresNIO
import ReelPostgres

/// `rescue`: dead worker → job pending again. A child `victim` claims a job as the owner of *another host* (so the
/// dead-local-pid shortcut cannot apply: only the lease expiring frees the job), renews its lease as `reel serve`
/// does (``PostgresJobQueue/run()``), and is SIGKILLed at a random point of a renewal period. This process runs a
/// rescuer (``PostgresJobQueue/run()`` of another queue) meanwhile. Times are read on the database clock: the kill is
/// stamped right after waitpid(2) returns; the rescue is the row's `updated_at` once it is pending again.
struct Rescue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Dead worker → job pending again (lease expiry + rescue).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Lease in seconds (worker and rescuer)") var lease = 2.0
    @Option(help: "Kills, one after the other") var runs = 3

    struct Result: Codable, Sendable {
        var mode = "rescue"
        var leaseSeconds: Double
        var runs: [Run]
        /// The slowest run, seconds from the kill until pending.
        var maxSeconds: Double
        var targetSeconds: Double
    }

    struct Run: Codable, Sendable {
        /// Seconds from the kill until the job was pending again (database clock).
        var killToPendingSeconds: Double
        /// Of which: the lease still to run at the kill (the last renewal's doing).
        var leaseLeftAtKillSeconds: Double
        /// Of which: from the lease's expiry to the rescue (the rescuer's period).
        var expiryToRescueSeconds: Double
        /// Seen by this process's polling (wall clock), a cross-check.
        var observedSeconds: Double
        var interruptions: Int
    }

    func run() async throws {
        let db = try database.settings()
        let (leaseSeconds, runs) = (lease, self.runs)
        let result = try await db.withClient(connections: 3) { client, logger in
            let rescuer = PostgresJobQueue(client: client, owner: "bench-rescuer-host:1", lease: .seconds(leaseSeconds), logger: logger)
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask { try await rescuer.run(); return nil }
                group.addTask {
                    var measured: [Run] = []
                    for index in 1...runs {
                        try await client.query("TRUNCATE reel_jobs", logger: logger)
                        measured.append(try await Self.once(index: index, lease: leaseSeconds, db: db, client: client, logger: logger))
                    }
                    let worst = measured.map(\.killToPendingSeconds).max() ?? .nan
                    return Result(leaseSeconds: leaseSeconds, runs: measured, maxSeconds: worst, targetSeconds: leaseSeconds + 5)
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let next { return next }
                }
                throw BenchError("the rescuer stopped early")
            }
        }
        try printJSONLine(result)
    }

    private static func once(index: Int, lease: Double, db: BenchDatabase, client: PostgresClient, logger: Logger) async throws -> Run {
        let queue = PostgresJobQueue(client: client, owner: JobOwner.current, logger: logger)
        let job = try await queue.enqueue(taskId: BenchDatabase.taskId(index), kind: BenchDatabase.kind, reason: "bench").job
        let victim = try ChildProcess(arguments: ["victim", "--lease", "\(lease)"], url: db.url)
        let claimed: String
        do {
            claimed = try await victim.line(within: .seconds(30)) { $0.hasPrefix("claimed ") }
        } catch {
            victim.kill(SIGKILL)
            _ = try? await victim.wait()
            throw error
        }
        guard claimed == "claimed \(job.id)" else { throw BenchError("the victim claimed something else: \(claimed)") }
        // Anywhere in a renewal period, after at least one renewal.
        try await Task.sleep(for: .seconds(lease / 3 + Double.random(in: 0...(lease / 3))))
        victim.kill(SIGKILL)
        try await victim.wait()
        let killedAt = try await BenchDatabase.clock(client, logger)
        let observedStart = ContinuousClock.now

        var leaseExpiresAt: Double?
        for try await (state, expires) in try await client.query("""
            SELECT state, extract(epoch FROM lease_expires_at)::float8 FROM reel_jobs WHERE id = \(job.id)
            """, logger: logger).decode((String, Double?).self) {
            guard state == "running" else { throw BenchError("the job was \(state) at the kill, not running") }
            leaseExpiresAt = expires
        }
        guard let leaseExpiresAt else { throw BenchError("no lease on the victim's job") }

        let deadline = ContinuousClock.now + .seconds(lease + 30)
        while ContinuousClock.now < deadline {
            for try await (state, updated, interruptions) in try await client.query("""
                SELECT state, extract(epoch FROM updated_at)::float8, interruptions FROM reel_jobs WHERE id = \(job.id)
                """, logger: logger).decode((String, Double, Int).self) where state == "pending" {
                return Run(killToPendingSeconds: Percentiles.rounded(updated - killedAt),
                           leaseLeftAtKillSeconds: Percentiles.rounded(leaseExpiresAt - killedAt),
                           expiryToRescueSeconds: Percentiles.rounded(updated - leaseExpiresAt),
                           observedSeconds: Percentiles.rounded((ContinuousClock.now - observedStart).seconds),
                           interruptions: interruptions)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("the job was not pending again within lease + 30 s")
    }
}

/// `victim` (started by `rescue`): claims the one pending job as an owner on another host, renews its lease as a
/// worker would, prints `claimed ID`, and waits to be killed.
struct Victim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Child of rescue: claims a job and waits to be killed.",
                                                    shouldDisplay: false)

    @OptionGroup var database: DatabaseOptions
    @Option var lease = 2.0

    func run() async throws {
        let db = try database.settings()
        let lease = self.lease
        try await db.withClient(connections: 2, reset: false) { client, logger in
            let queue = PostgresJobQueue(client: client, owner: "bench-elsewhere:\(getpid())", lease: .seconds(lease), logger: logger)
            guard let job = try await queue.claim(owner: "bench-elsewhere:\(getpid())") else { throw BenchError("nothing to claim") }
            emitLine("claimed \(job.id)")
            try await queue.run() // renews until killed
        }
    }
}
