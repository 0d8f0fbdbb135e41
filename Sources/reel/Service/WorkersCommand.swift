import ArgumentParser
import Foundation
import Pipeline
import ReelBasics

/// `reel workers ls [--json]`: the processes of the deployment (`reel serve` instances), from their heartbeats.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "The processes of the deployment (reel serve instances) and what they hold.",
        discussion: """
        EXAMPLES:
          reel workers ls
          reel workers ls --database-url postgres://reel@db.internal/reel --json
        """,
        subcommands: [WorkersLsCommand.self])
}

struct WorkersLsCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the processes of the deployment: roles, host, pid, last heartbeat, jobs in hand.",
        discussion: """
        Each `reel serve` beats every 5 s (files under the storage root, or PostgreSQL with REEL_DATABASE_URL); one \
        silent for 15 s is shown as stale, one silent for a day is forgotten. --json prints an array of {"id", "roles", \
        "host", "pid", "startedAt", "heartbeatAt", "secondsSinceHeartbeat", "alive", "jobs"}.

        EXAMPLES:
          reel workers ls
          REEL_DATABASE_URL=postgres://reel@db.internal/reel reel workers ls --json
        """)

    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print a JSON array of processes ({\"id\", \"roles\", \"host\", \"pid\", \"heartbeatAt\", \"alive\", \"jobs\", …}; [] when none).")
    var json = false

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    struct Row: Encodable {
        var id: String
        var roles: [String]
        var host: String
        var pid: Int32
        var startedAt: Date
        var heartbeatAt: Date
        var secondsSinceHeartbeat: Double
        var alive: Bool
        var jobs: [String]
    }

    func run(_ configuration: ReelConfiguration) async throws {
        let listing = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { state in
            do { return try await state.workers.list() } catch { throw serviceExit(error) }
        }
        let rows = listing.workers.map { w in
            Row(id: w.id, roles: w.roles, host: w.host, pid: w.pid, startedAt: w.startedAt, heartbeatAt: w.heartbeatAt,
                secondsSinceHeartbeat: (max(0, listing.now.timeIntervalSince(w.heartbeatAt)) * 1000).rounded() / 1000,
                alive: listing.isAlive(w), jobs: w.jobs)
        }
        if json {
            try Output.json(rows)
            return
        }
        if rows.isEmpty {
            Output.error("no reel serve process has beaten a heartbeat here")
            return
        }
        let table = [["PROCESS", "ROLES", "HOST", "PID", "HEARTBEAT", "STATE", "JOBS"]] + rows.map { r in
            [r.id, r.roles.joined(separator: ","), r.host, String(r.pid), String(format: "%.1f s ago", r.secondsSinceHeartbeat),
             r.alive ? "alive" : "stale", r.jobs.isEmpty ? "-" : "\(r.jobs.count): \(r.jobs.prefix(3).joined(separator: ", "))\(r.jobs.count > 3 ? ", …" : "")"]
        }.map { $0.map { SafeText.escape($0) } }
        let widths = (0..<table[0].count).map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            Output.line(zip(row, widths).enumerated().map { index, cell in
                index == row.count - 1 ? cell.0 : cell.0.padding(toLength: cell.1, withPad: " ", startingAt: 0)
            }.joined(separator: "  "))
        }
    }
}
