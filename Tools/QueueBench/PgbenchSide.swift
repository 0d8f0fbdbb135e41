import ArgumentParser
import Foundation
import PostgresNIO

/// `prepare`: the pgbench side's input: `reel_jobs` emptied, the backlog of done jobs, then `--jobs` pending jobs as
/// `enqueue` writes them. Prints the server's CPU seconds so far (with --postmaster-pid) for `check`.
struct Prepare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Seed reel_jobs for the pgbench side.")

    @OptionGroup var database: DatabaseOptions
    @Option var jobs = 10_000
    @Option(name: .customLong("backlog-done")) var backlogDone = 0

    struct Result: Codable, Sendable {
        var mode = "prepare"
        var jobs: Int
        var backlogDone: Int
        var serverCpuSeconds: Double?
    }

    func run() async throws {
        let db = try database.settings()
        let (jobs, backlogDone) = (self.jobs, self.backlogDone)
        try await db.withClient(connections: 1) { client, logger in
            try await BenchDatabase.insertDone(client, count: backlogDone, logger)
            try await BenchDatabase.insertPending(client, count: jobs, logger)
        }
        try printJSONLine(Result(jobs: jobs, backlogDone: backlogDone,
                                 serverCpuSeconds: db.postmasterPid.flatMap { ServerCPU.seconds(postmaster: $0) }))
    }
}

/// `check`: after pgbench, every job must be done, claimed once; reads pgbench's report and prints the pgbench side's
/// result line.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the pgbench side's outcome and print its result line.")

    @OptionGroup var database: DatabaseOptions
    @Option var jobs = 10_000
    @Option(name: .customLong("backlog-done")) var backlogDone = 0
    @Option(help: "Clients pgbench ran") var connections = 4
    @Option(help: "pgbench's standard output") var pgbenchOutput: String
    @Option(help: "prepare's serverCpuSeconds") var serverCpuBefore: Double?

    struct Result: Codable, Sendable {
        var mode = "throughput"
        var side = "pgbench"
        var jobs: Int
        var connections: Int
        var backlogDone: Int
        var jobsPerSecond: Double
        /// pgbench's average latency of one script run (claim + complete).
        var latencyAverageMs: Double?
        var serverCpuMsPerJob: Double?
        var outcome: BenchDatabase.Outcome
    }

    func run() async throws {
        let db = try database.settings()
        let server = db.postmasterPid.flatMap { ServerCPU.seconds(postmaster: $0) }
        let text = try String(contentsOfFile: pgbenchOutput, encoding: .utf8)
        guard let tps = Self.number(after: "tps = ", in: text) else { throw BenchError("no 'tps = ' in \(pgbenchOutput)") }
        let jobs = self.jobs
        let outcome = try await db.withClient(connections: 1, reset: false) { client, logger in
            try await BenchDatabase.checkAllDone(client, count: jobs, logger)
        }
        guard outcome.ok else { throw BenchError("pgbench side: outcome check failed: \(outcome)") }
        var serverMs: Double?
        if let server, let serverCpuBefore {
            serverMs = Percentiles.rounded((server - serverCpuBefore) * 1000 / Double(jobs), places: 10_000)
        }
        try printJSONLine(Result(jobs: jobs, connections: connections, backlogDone: backlogDone,
                                 jobsPerSecond: Percentiles.rounded(tps, places: 10),
                                 latencyAverageMs: Self.number(after: "latency average = ", in: text),
                                 serverCpuMsPerJob: serverMs, outcome: outcome))
    }

    static func number(after marker: String, in text: String) -> Double? {
        guard let range = text.range(of: marker) else { return nil }
        return Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }
}
