import ArgumentParser
import Catalog
import Foundation
import PostgresNIO
import ReelPostgres

/// `index`: the catalog index of `reel ls`, the admin API and the page, `index.sqlite` beside PostgreSQL's, with the
/// same tasks and the same calls, in the order A B B A. Prints a Markdown report on standard output.
struct IndexBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "The catalog index: index.sqlite beside PostgreSQL (rebuild, pages, filters, upserts).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Tasks in the index (two assets each)") var tasks = 100_000
    @Option(help: "Timed repetitions of each read") var repeats = 30
    @Option(help: "Timed single-task upserts") var upserts = 300

    struct Run: Sendable {
        var side: String
        var rebuildSeconds: Double
        var firstPage: Double
        var deepPage: Double
        var filtered: Double
        var count: Double
        var upsert: Double
        var listed: Int
    }

    func run() async throws {
        let rows = (0..<tasks).map(Self.task)
        let bench = try database.settings()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reel-index-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let sqlite = try Catalog(root: root).index
        let runs = try await bench.withClient(connections: 4, reset: false) { client, _ in
            let postgres = PostgresCatalogIndex(client: client, logger: BenchLog.quiet)
            var runs: [Run] = []
            for (side, index) in [("index.sqlite", sqlite), ("PostgreSQL", postgres), ("PostgreSQL", postgres), ("index.sqlite", sqlite)] as [(String, any CatalogIndexStore)] {
                FileHandle.standardError.write(Data("index bench: \(side)\n".utf8))
                runs.append(try await measure(side, index, rows))
            }
            return runs
        }
        print(Self.report(runs, tasks: tasks, repeats: repeats, upserts: upserts))
    }

    /// A task as the listing test builds them: two assets, a seventh of scripts, a tenth failed, a third mismatched.
    static func task(_ n: Int) -> IndexedTask {
        let summary = TaskSummary(taskId: "task-\(n)", kind: "m2v", status: "success", assetCount: 2,
                                  archivedCount: n % 10 == 0 ? 0 : 1, failedCount: n % 10 == 0 ? 1 : 0,
                                  verdicts: [n % 3 == 0 ? "mismatch" : "match"], states: n % 10 == 0 ? ["absent", "failed"] : ["absent", "archived"],
                                  scriptIds: [n % 7], updatedAt: Date(timeIntervalSince1970: 1_750_000_000 + Double(n)))
        return IndexedTask(summary: summary, assets: [
            IndexedAsset(scriptId: n % 7, role: .preview, state: n % 10 == 0 ? "failed" : "archived",
                         verdict: n % 3 == 0 ? "mismatch" : "match"),
            IndexedAsset(scriptId: n % 7, role: .export, state: "absent", verdict: nil),
        ])
    }

    func measure(_ side: String, _ index: any CatalogIndexStore, _ rows: [IndexedTask]) async throws -> Run {
        let clock = ContinuousClock()
        let rebuild = try await clock.measure { _ = try await index.replaceAll(rows) }
        func median(_ body: () async throws -> Void) async throws -> Double {
            var samples: [Double] = []
            for _ in 0..<repeats {
                let elapsed = try await clock.measure { try await body() }
                samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            }
            return Percentiles(milliseconds: samples).p50
        }
        var listed = 0
        let first = try await median { listed = try await index.list(TaskFilter(limit: 50)).count }
        let deep = try await median { _ = try await index.list(TaskFilter(limit: 50, offset: tasks / 2)) }
        let filtered = try await median { _ = try await index.list(TaskFilter(scriptId: 3, state: "failed", limit: 50)) }
        let count = try await median { _ = try await index.count() }
        var upsertSamples: [Double] = []
        for n in 0..<upserts {
            var task = Self.task(n * 7 % tasks)
            task.summary.updatedAt = Date(timeIntervalSince1970: 1_760_000_000 + Double(n))
            let elapsed = try await clock.measure { try await index.upsert(task, current: { nil }) }
            upsertSamples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        return Run(side: side, rebuildSeconds: Percentiles.rounded(Double(rebuild.components.seconds) + Double(rebuild.components.attoseconds) / 1e18),
                   firstPage: first, deepPage: deep, filtered: filtered, count: count,
                   upsert: Percentiles(milliseconds: upsertSamples).p50, listed: listed)
    }

    static func report(_ runs: [Run], tasks: Int, repeats: Int, upserts: Int) -> String {
        var lines = [
            "| # | index | rebuild \(tasks) tasks, s | first page (50), ms | page at offset \(tasks / 2), ms | filtered page (script 3, failed), ms | count, ms | one upsert, ms |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for (n, r) in runs.enumerated() {
            lines.append("| \(n + 1) | \(r.side) | \(r.rebuildSeconds) | \(r.firstPage) | \(r.deepPage) | \(r.filtered) | \(r.count) | \(r.upsert) |")
        }
        lines.append("")
        lines.append("Medians of \(repeats) calls (reads) and \(upserts) calls (upserts) per run, through `CatalogIndexStore` as "
                     + "`reel ls` and the admin API call it (the SQLite calls run on the blocking pool, the PostgreSQL ones over "
                     + "loopback TCP).")
        return lines.joined(separator: "\n")
    }
}
