import ArgumentParser
import Catalog
import Foundation
import Pipeline
import TopView

/// `reel watch …`: the persistent list of tasks `reel serve` polls until they settle (`<root>/watch.json`, or PostgreSQL
/// with `REEL_DATABASE_URL`).
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Keep tasks on the watch list that `reel serve` polls until they are settled, then archives.",
        discussion: """
        EXAMPLES:
          reel watch add TASK --kind text2video
          reel watch ls --json
          reel watch rm TASK
        """,
        subcommands: [WatchAddCommand.self, WatchLsCommand.self, WatchRmCommand.self]
    )
}

struct WatchAddCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Watch tasks (a task already watched keeps its state).",
        discussion: """
        Exit codes: 0 ok; 2 an unsafe task id or an unknown kind (nothing is written).

        EXAMPLES:
          reel watch add TASK
          reel watch add TASK1 TASK2 --kind image2video
        """)

    @Argument(help: "Task ids.") var tasks: [String]
    @Option(name: .long, help: "Task kind (\(TaskKinds.all.map { $0.name }.joined(separator: ", "))).") var kind: String = "m2v"
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if tasks.isEmpty { throw ValidationError("give at least one task id") }
        guard TaskKinds.kind(named: kind) != nil else {
            throw ValidationError("unknown --kind \(kind); known: \(TaskKinds.all.map { $0.name }.joined(separator: ", "))")
        }
    }

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        let ids = try validTaskIDs(tasks).map(\.rawValue)
        let added: [WatchEntry]
        do {
            added = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { try await $0.watch.add(ids, kind: kind) }
        } catch { throw serviceExit(error) }
        // `add` refused an unknown kind already; this is its canonical name.
        let kindName = TaskKinds.kind(named: kind)?.name ?? kind
        let new = Set(added.map(\.taskId))
        var seen = Set<String>()
        for id in ids where seen.insert(id).inserted {
            Output.line(new.contains(id) ? "watching \(id) (\(kindName))" : "\(id) already watched")
        }
    }
}

struct WatchLsCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List watched tasks, one line each (in the order they were added).",
        discussion: """
        EXAMPLES:
          reel watch ls
          reel watch ls --storage /srv/reel --json
        """)

    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print a JSON array of watched tasks ({\"taskId\", \"kind\", \"polls\", \"lastStatus\", \"nextPollAt\", \"settledAt\", …}; [] when none).")
    var json = false

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        let entries: [WatchEntry]
        // Read-only: listing writes nothing, so it works on a read-only storage root (a mounted backup).
        do {
            entries = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { try await $0.watch.listReadOnly() }
        } catch { throw serviceExit(error) }
        if json {
            try Output.json(entries)
            return
        }
        for entry in entries { Output.line(Self.line(entry)) }
    }

    static func line(_ e: WatchEntry) -> String {
        var line = "\(e.taskId)  \(e.kind)  polls \(e.polls)  status \(e.lastStatus ?? "-")"
        if let settled = e.settledAt {
            line += "  settled \(isoSeconds(settled))"
        } else {
            line += "  next poll \(isoSeconds(e.nextPollAt))"
        }
        line += "  added \(isoSeconds(e.addedAt))"
        if let error = e.lastError { line += "  error: \(error)" }
        return line
    }
}

struct WatchRmCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Stop watching tasks.",
        discussion: """
        Exit codes: 0 all removed; 1 some task was not watched (the others are removed); 2 an unsafe task id.

        EXAMPLES:
          reel watch rm TASK
          reel watch rm TASK1 TASK2
        """)

    @Argument(help: "Task ids.") var tasks: [String]
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if tasks.isEmpty { throw ValidationError("give at least one task id") }
    }

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        let ids = try validTaskIDs(tasks).map(\.rawValue)
        let removed: [String]
        do {
            removed = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { try await $0.watch.remove(ids) }
        } catch { throw serviceExit(error) }
        for id in removed { Output.line("removed \(id)") }
        var seen = Set(removed)
        let missing = ids.filter { seen.insert($0).inserted }
        if !missing.isEmpty {
            throw ReelExit(code: ReelExit.attention,
                           message: missing.map { "error: task \($0) is not watched (see `reel watch ls`)" }.joined(separator: "\n"))
        }
    }
}
