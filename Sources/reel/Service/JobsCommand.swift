import ArgumentParser
import Foundation
import Pipeline
import ReelBasics

/// `reel jobs …`: inspect and steer the durable job queue of `reel serve` (`<root>/queue/`, or PostgreSQL with
/// `REEL_DATABASE_URL`).
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List, retry and cancel the archive jobs of `reel serve`.",
        discussion: """
        EXAMPLES:
          reel jobs ls --state failed
          reel jobs retry --failed
          reel jobs cancel m2v-TASK
        """,
        subcommands: [JobsLsCommand.self, JobsRetryCommand.self, JobsCancelCommand.self]
    )
}

struct JobsLsCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List jobs, oldest first, one line each; a done job with how its run went.",
        discussion: """
        A done job shows its outcome: `done ok`, or `done attention: <what needs it>` (a failed asset, a duration \
        mismatch, the task failed upstream); --json prints an array of jobs, each with `outcome` \
        ({"result": "ok"|"attention", "message"} or null).
        EXAMPLES:
          reel jobs ls --state failed
          reel jobs ls --limit 20 --offset 40 --json
        """)

    @Option(name: .long, help: "Only jobs in this state (\(JobState.allCases.map(\.rawValue).joined(separator: ", "))).")
    var state: String?
    @Option(name: .long, help: "At most this many jobs (1 to 100000).") var limit: Int?
    @Option(name: .long, help: "Skip this many jobs first (default 0).") var offset: Int = 0
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print a JSON array of jobs ({\"id\", \"taskId\", \"kind\", \"state\", \"attempts\", \"lastError\", \"outcome\", …}; [] when none).")
    var json = false

    func validate() throws {
        if let limit, !(1...100_000).contains(limit) { throw ValidationError("--limit must be from 1 to 100000") }
        if offset < 0 { throw ValidationError("--offset must be 0 or more") }
        if let state, JobState(rawValue: state) == nil {
            throw ValidationError("--state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        // Read-only: listing writes nothing, so it works on a read-only storage root (a mounted backup).
        let inspection: JobQueueInspection
        do {
            let state = state.flatMap(JobState.init(rawValue:))
            inspection = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { shared in
                try await shared.diagnostics.inspect(state: state)
            }
        } catch {
            throw serviceExit(error)
        }
        let page = Array(inspection.jobs.dropFirst(offset).prefix(limit ?? Int.max))
        if json {
            try Output.json(page)
        } else {
            for job in page { Output.line(Self.line(job)) }
        }
        let unreadable = inspection.unreadable
        if !unreadable.isEmpty {
            Output.error("warning: \(unreadable.count) unreadable job file(s) not listed (the queue moves them to queue/corrupt/ on its next change): \(unreadable.prefix(5).joined(separator: ", "))")
        }
        let corrupt = inspection.quarantined
        if !corrupt.isEmpty {
            Output.error("warning: \(corrupt.count) unreadable job file(s) were moved aside to \(configuration.storage.root.path)/queue/corrupt/; inspect and delete them")
        }
    }

    static func line(_ job: Job) -> String {
        var state = job.state.rawValue
        if job.state == .done, let outcome = job.outcome {
            state += " \(SafeText.escape(outcome.result, limit: 16))"
            if let message = outcome.message, outcome.result != "ok" { state += ": \(SafeText.escape(message, limit: 300))" }
        }
        var line = "\(job.id)  \(state)  attempts \(job.attempts)/\(job.maxAttempts)  \(job.reason ?? "-")"
        line += "  updated \(isoSeconds(job.updatedAt))"
        if job.state == .pending, job.notBefore > Date() { line += "  not before \(isoSeconds(job.notBefore))" }
        if job.interruptions > 0 { line += "  interrupted \(job.interruptions) in a row" }
        if let owner = job.owner { line += "  owner \(owner)" }
        if job.cancelRequested { line += "  cancel requested" }
        if let error = job.lastError { line += "  error: \(error.replacingOccurrences(of: "\n", with: " "))" }
        return line
    }
}

struct JobsRetryCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Put a failed or cancelled job (or every failed one) back in the queue with its attempts reset.",
        discussion: """
        Exit codes: 0 ok; 1 no such job, or it is running or done; 2 neither or both of ID and --failed.

        EXAMPLES:
          reel jobs retry m2v-TASK
          reel jobs retry --failed
        """)

    @Argument(help: "Job id (<kind>-<taskId>, as `reel jobs ls` shows).") var id: String?
    @Flag(name: .long, help: "Retry every failed job.") var failed = false
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if (id == nil) == !failed { throw ValidationError("give a job id or --failed (not both)") }
    }

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        if failed {
            let jobs: [Job]
            do {
                jobs = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { try await $0.queue.retryFailed() }
            } catch { throw serviceExit(error) }
            for job in jobs { Output.line("retrying \(job.id)") }
            if jobs.isEmpty { Output.line("no failed job") }
            return
        }
        let id = try validJobID(id ?? "")
        do {
            let job = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { try await $0.queue.retry(id) }
            Output.line("retrying \(job.id)")
        } catch {
            throw serviceExit(error)
        }
    }
}

struct JobsCancelCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a job: a pending one at once, a running one when its current attempt ends.",
        discussion: """
        Exit codes: 0 ok; 1 no such job, or it is done; 2 an invalid id.

        EXAMPLES:
          reel jobs cancel m2v-TASK
        """)

    @Argument(help: "Job id (<kind>-<taskId>, as `reel jobs ls` shows).") var id: String
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        let id = try validJobID(id)
        do {
            let job = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { try await $0.queue.cancel(id) }
            Output.line(job.state == .running
                ? "cancel requested for \(job.id): it is running and ends as cancelled when its current attempt stops"
                : "cancelled \(job.id)")
        } catch {
            throw serviceExit(error)
        }
    }
}
