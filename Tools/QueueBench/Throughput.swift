import ArgumentParser
import Foundation
import Pipeline
import PostgresNIO
import ReelPostgres

/// `throughput`: enqueue N jobs through ``PostgresJobQueue``, then `connections` claimers (one pool of that many
/// connections) claim and complete until the queue is empty.
struct Throughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Claim+complete per second, claim/complete latency, CPU per job.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Jobs to enqueue and then claim+complete") var jobs = 10_000
    @Option(help: "Claimer tasks, and connections in the pool") var connections = 4
    @Option(name: .customLong("backlog-done"), help: "done jobs inserted first (one INSERT … SELECT generate_series)")
    var backlogDone = 0

    func validate() throws {
        guard jobs > 0, connections > 0, backlogDone >= 0 else { throw ValidationError("jobs and connections must be positive") }
    }

    struct Result: Codable, Sendable {
        var mode = "throughput"
        var side = "reel"
        var jobs: Int
        var connections: Int
        var backlogDone: Int
        var enqueuePerSecond: Double
        var jobsPerSecond: Double
        var claimMs: Percentiles
        var completeMs: Percentiles
        /// This process's CPU (user + system) over the claim+complete phase, per job.
        var cpuMsPerJob: Double
        /// This process's CPU over the enqueue phase, per job.
        var enqueueCpuMsPerJob: Double
        /// The PostgreSQL server's CPU over the claim+complete phase, per job (with --postmaster-pid).
        var serverCpuMsPerJob: Double?
        var claimPlanBefore: String
        var claimPlanAfter: String
        var outcome: BenchDatabase.Outcome
    }

    func run() async throws {
        let db = try database.settings()
        let (jobs, connections, backlogDone) = (self.jobs, self.connections, self.backlogDone)
        let result = try await db.withClient(connections: connections) { client, logger in
            try await BenchDatabase.insertDone(client, count: backlogDone, logger)
            let queue = PostgresJobQueue(client: client, owner: JobOwner.current, lease: .seconds(30), logger: logger)

            let enqueueCPU = ProcessCPU.seconds()
            let enqueueStart = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<connections {
                    group.addTask {
                        for index in stride(from: lane + 1, through: jobs, by: connections) {
                            _ = try await queue.enqueue(taskId: BenchDatabase.taskId(index), kind: BenchDatabase.kind, reason: "bench")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let enqueueSeconds = (ContinuousClock.now - enqueueStart).seconds
            let enqueueCPUSeconds = ProcessCPU.seconds() - enqueueCPU
            try await client.query("ANALYZE reel_jobs", logger: logger)
            let planBefore = try await BenchDatabase.explainClaim(client, logger)

            let owner = JobOwner.current
            let cpu = ProcessCPU.seconds()
            let server = db.postmasterPid.flatMap { ServerCPU.seconds(postmaster: $0) }
            let start = ContinuousClock.now
            let lanes = try await withThrowingTaskGroup(of: Lane.self) { group in
                for _ in 0..<connections {
                    group.addTask {
                        var lane = Lane()
                        let clock = ContinuousClock()
                        while true {
                            let t0 = clock.now
                            guard let job = try await queue.claim(owner: owner) else { break }
                            let t1 = clock.now
                            try await queue.complete(job.id)
                            lane.claim.append((t1 - t0).milliseconds)
                            lane.complete.append((clock.now - t1).milliseconds)
                            lane.ids.append(job.id)
                        }
                        return lane
                    }
                }
                return try await group.reduce(into: [Lane]()) { $0.append($1) }
            }
            let seconds = (ContinuousClock.now - start).seconds
            let cpuSeconds = ProcessCPU.seconds() - cpu
            let serverSeconds = server.flatMap { before in db.postmasterPid.flatMap { ServerCPU.seconds(postmaster: $0) }.map { $0 - before } }

            let ids = lanes.flatMap(\.ids)
            guard ids.count == jobs, Set(ids).count == jobs else {
                throw BenchError("claimed \(ids.count) jobs (\(Set(ids).count) distinct), expected \(jobs)")
            }
            let outcome = try await BenchDatabase.checkAllDone(client, count: jobs, logger)
            guard outcome.ok else { throw BenchError("outcome check failed: \(outcome)") }
            let planAfter = try await BenchDatabase.explainClaim(client, logger)
            let perJob = { (s: Double) in Percentiles.rounded(s * 1000 / Double(jobs), places: 10_000) }
            return Result(
                jobs: jobs, connections: connections, backlogDone: backlogDone,
                enqueuePerSecond: Percentiles.rounded(Double(jobs) / enqueueSeconds, places: 10),
                jobsPerSecond: Percentiles.rounded(Double(jobs) / seconds, places: 10),
                claimMs: Percentiles(milliseconds: lanes.flatMap(\.claim)),
                completeMs: Percentiles(milliseconds: lanes.flatMap(\.complete)),
                cpuMsPerJob: perJob(cpuSeconds), enqueueCpuMsPerJob: perJob(enqueueCPUSeconds),
                serverCpuMsPerJob: serverSeconds.map(perJob),
                claimPlanBefore: planBefore, claimPlanAfter: planAfter, outcome: outcome)
        }
        try printJSONLine(result)
    }

    /// What one claimer saw.
    struct Lane: Sendable {
        var claim: [Double] = []
        var complete: [Double] = []
        var ids: [String] = []
    }
}
