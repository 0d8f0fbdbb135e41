import ArgumentParser
import Foundation
import Pipeline
import PostgresNIO
import ReelPostgres
import Synchronization

/// `latency`: enqueue → claim across processes. A child `claimer` LISTENs (``PostgresJobQueue/forwardWakeups(_:)``)
/// and claims on each wake-up, with a slow poll as fallback, as an idle worker does; this process enqueues one job
/// every 20–50 ms. Each latency is measured on the database clock by the claimer: `clock_timestamp()` once its claim
/// has returned, minus the row's `created_at` (taken inside `enqueue`, whole milliseconds rounded down: at most 1 ms
/// too long).
struct Latency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Enqueue → claim latency across processes (LISTEN/NOTIFY).")

    @OptionGroup var database: DatabaseOptions
    @Option var jobs = 200
    @Option(help: "The claimer's fallback poll, seconds") var poll = 2.0

    struct Result: Codable, Sendable {
        var mode = "latency"
        var jobs: Int
        var enqueueGapMs = "20-50"
        var pollSeconds: Double
        var latencyMs: Percentiles
        /// Claims that followed the fallback poll rather than a wake-up.
        var claimsAfterPoll: Int
        var outcome: BenchDatabase.Outcome
    }

    func run() async throws {
        let db = try database.settings()
        let (jobs, poll) = (self.jobs, self.poll)
        let result = try await db.withClient(connections: 2) { client, logger in
            let child = try ChildProcess(arguments: ["claimer", "--jobs", "\(jobs)", "--poll", "\(poll)"], url: db.url)
            do {
                // The claimer is ready once a NOTIFY reaches it: its LISTEN is in place.
                let readyBy = ContinuousClock.now + .seconds(30)
                while true {
                    try await client.query("NOTIFY reel_jobs", logger: logger)
                    if (try? await child.line(within: .milliseconds(100)) { $0 == "ready" }) != nil { break }
                    guard ContinuousClock.now < readyBy else { throw BenchError("the claimer never became ready") }
                }

                let queue = PostgresJobQueue(client: client, owner: JobOwner.current, logger: logger)
                for index in 1...jobs {
                    _ = try await queue.enqueue(taskId: BenchDatabase.taskId(index), kind: BenchDatabase.kind, reason: "bench")
                    try await Task.sleep(for: .milliseconds(Int.random(in: 20...50)))
                }
                let line = try await child.line(within: .seconds(60)) { $0.hasPrefix("{") }
                try await child.wait()
                let claimed = try JSONDecoder().decode(Claimer.Result.self, from: Data(line.utf8))
                let outcome = try await BenchDatabase.checkAllDone(client, count: jobs, logger)
                guard outcome.ok, claimed.latencyMs.count == jobs else { throw BenchError("outcome check failed: \(outcome)") }
                return Result(jobs: jobs, pollSeconds: poll, latencyMs: Percentiles(milliseconds: claimed.latencyMs),
                              claimsAfterPoll: claimed.claimsAfterPoll, outcome: outcome)
            } catch {
                child.kill(SIGKILL)
                _ = try? await child.wait()
                throw error
            }
        }
        try printJSONLine(result)
    }
}

/// `claimer` (started by `latency`): an idle worker's loop, waiting on a ``WakeSignal`` fed by LISTEN, or the
/// fallback poll; claims until the queue is empty, then waits again. Prints `ready` when the first notification
/// arrives, and one JSON line after `--jobs` claims.
struct Claimer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Child of latency: claims on LISTEN wake-ups.",
                                                    shouldDisplay: false)

    @OptionGroup var database: DatabaseOptions
    @Option var jobs = 200
    @Option var poll = 2.0

    struct Result: Codable, Sendable {
        var latencyMs: [Double]
        var claimsAfterPoll: Int
    }

    func run() async throws {
        let db = try database.settings()
        let (jobs, poll) = (self.jobs, self.poll)
        let result = try await db.withClient(connections: 2, reset: false) { client, logger in
            let queue = PostgresJobQueue(client: client, owner: JobOwner.current, logger: logger)
            let wake = WakeSignal()
            let woken = FirstTime()
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    try await queue.forwardWakeups {
                        if woken.claim() { emitLine("ready") }
                        wake.signal()
                    }
                    return nil
                }
                group.addTask {
                    var result = Result(latencyMs: [], claimsAfterPoll: 0)
                    while result.latencyMs.count < jobs {
                        let waitStart = ContinuousClock.now
                        await wake.wait(timeout: .seconds(poll))
                        let afterPoll = ContinuousClock.now - waitStart >= .seconds(poll)
                        while let job = try await queue.claim(owner: JobOwner.current) {
                            let rows = try await client.query("""
                                SELECT (extract(epoch FROM clock_timestamp() - created_at) * 1000)::float8
                                FROM reel_jobs WHERE id = \(job.id)
                                """, logger: logger).decode(Double.self)
                            for try await ms in rows { result.latencyMs.append(ms) }
                            if afterPoll { result.claimsAfterPoll += 1 }
                            try await queue.complete(job.id)
                        }
                    }
                    return result
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let next { return next }
                }
                throw BenchError("the claimer stopped early")
            }
        }
        try printJSONLine(result)
    }
}

/// True the first time ``claim()`` is called, false afterwards (from any thread).
final class FirstTime: Sendable {
    private let seen = Mutex(false)

    func claim() -> Bool {
        seen.withLock { seen in
            defer { seen = true }
            return !seen
        }
    }
}
