import Foundation
import PostgresNIO
@testable import Pipeline
import ReelPostgres
import Testing
import TopView

/// The real `reel` binary with `REEL_DATABASE_URL`: `reel db status|migrate` and their exit codes, and `reel serve`
/// whose queue lives in PostgreSQL archiving a callback's task.
@Suite("reel with PostgreSQL", .enabled(if: PostgresTestDatabase.isAvailable))
struct PostgresServeTests {
    @Test func dbStatusAndMigrateWithTheirExitCodes() async throws {
        try await withBench { bench in
            try await PostgresTestDatabase.withDatabase { client, url in
                try await PostgresTestDatabase.dropSchema(client)
                let env = ["REEL_DATABASE_URL": url]
                var result = try await bench.reel(["db", "status", "--json"], env)
                #expect(result.status == 1, "\(result)")
                #expect(result.stdout.contains("\"pending\":\(Migrations.expectedVersion)") && result.stdout.contains("\"schemaVersion\":0"), "\(result)")
                result = try await bench.reel(["db", "migrate"], env)
                #expect(result.status == 0, "\(result)")
                result = try await bench.reel(["db", "status", "--json"], env)
                #expect(result.status == 0 && result.stdout.contains("\"pending\":0"), "\(result)")
                let password = try #require(URLComponents(string: url)?.password)
                #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
                result = try await bench.reel(["db", "status"], ["REEL_DATABASE_URL": nil])
                #expect(result.status == 2, "unset: misconfigured \(result)")
                result = try await bench.reel(["db", "status"], ["REEL_DATABASE_URL": "postgres://reel@127.0.0.1:1/reel"])
                #expect(result.status == 4, "unreachable \(result)")
            }
        }
    }

    @Test func serveKeepsItsQueueInPostgres() async throws {
        try await withBench { bench in
            try await PostgresTestDatabase.withDatabase { client, url in
                try await withServeProcess(bench, environment: ["REEL_DATABASE_URL": url]) { serve in
                    let task = taskId("ready")
                    let reply = try await serve.callback(callbackBody(taskId: task))
                    #expect(reply.status == 200, "\(reply)")
                    try await serve.waitForTask(task)
                    var state = ""
                    for _ in 0..<100 {
                        for try await s in try await client.query("SELECT state FROM reel_jobs WHERE task_id = \(task)",
                                                                  logger: PostgresTestDatabase.logger).decode(String.self) { state = s }
                        if state == "done" { break }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    #expect(state == "done", "the job row in PostgreSQL")
                    let stopped = try await serve.stop()
                    #expect(stopped.status == 0, "\(stopped)")
                    let filesQueue = bench.storage.appendingPathComponent("queue/pending").path
                    let queuedFiles = (try? FileManager.default.contentsOfDirectory(atPath: filesQueue)) ?? []
                    #expect(queuedFiles.isEmpty, "no job went to the embedded file queue")
                    // The index is PostgreSQL's: the service wrote no index.sqlite, `reel ls` reads the rows.
                    #expect(!FileManager.default.fileExists(atPath: bench.storage.appendingPathComponent("index.sqlite").path))
                    #expect(try await client.value("SELECT archived_count FROM reel_tasks WHERE task_id = \(task)", as: Int.self) == 2)
                    let env: [String: String?] = ["REEL_DATABASE_URL": url]
                    var listed = try await bench.reel(["ls", "--json", "--storage", bench.storage.path], env)
                    #expect(listed.status == 0 && listed.stdout.contains("\"\(task)\""), "\(listed)")
                    try await client.query("DELETE FROM reel_tasks", logger: PostgresTestDatabase.logger)
                    listed = try await bench.reel(["ls", "--json", "--storage", bench.storage.path], env)
                    #expect(listed.status == 0 && !listed.stdout.contains(task), "reel ls read the database, not the manifests: \(listed)")
                    let reindexed = try await bench.reel(["reindex", "--storage", bench.storage.path], env)
                    #expect(reindexed.status == 0 && reindexed.stdout.contains("indexed 1 task(s)"), "\(reindexed)")
                    #expect(try await client.value("SELECT count(*) FROM reel_assets WHERE task_id = \(task)", as: Int.self) == 2)
                    listed = try await bench.reel(["ls", "--json", "--storage", bench.storage.path], env)
                    #expect(listed.stdout.contains("\"\(task)\""), "\(listed)")
                }
            }
        }
    }
}

extension PostgresServeTests {
    /// `reel watch`, `reel jobs` and `reel workers` with `REEL_DATABASE_URL` read and write PostgreSQL, not the files of
    /// the storage root; a database that is not migrated is refused with the command to run.
    @Test func operatorCommandsUseTheDatabase() async throws {
        try await withBench { bench in
            try await PostgresTestDatabase.withDatabase { client, url in
                let env = ["REEL_DATABASE_URL": url]
                var result = try await bench.reel(["watch", "add", "w-1", "w-2", "--storage", bench.storage.path], env)
                #expect(result.status == 0 && result.stdout.contains("watching w-1"), "\(result)")
                result = try await bench.reel(["watch", "rm", "w-1", "--storage", bench.storage.path], env)
                #expect(result.status == 0, "\(result)")
                result = try await bench.reel(["watch", "ls", "--json", "--storage", bench.storage.path], env)
                let watched = try JSONValue.parse(Array(result.stdout.utf8)).arrayValue?.compactMap { $0["taskId"]?.stringValue }
                #expect(watched == ["w-2"], "\(result)")
                #expect(try await client.value("SELECT count(*) FROM reel_watch", as: Int.self) == 1)
                #expect(!FileManager.default.fileExists(atPath: bench.storage.appendingPathComponent("watch.json").path))

                try await withServeProcess(bench, environment: env) { serve in
                    let task = taskId("ready")
                    #expect(try await serve.callback(callbackBody(taskId: task)).status == 200)
                    try await serve.waitForTask(task)
                    result = try await bench.reel(["jobs", "ls", "--json", "--storage", bench.storage.path], env)
                    #expect(result.status == 0 && result.stdout.contains("m2v-\(task)"), "\(result)")
                    var workers: [JSONValue] = []
                    for _ in 0..<60 where workers.isEmpty {
                        result = try await bench.reel(["workers", "ls", "--json", "--storage", bench.storage.path], env)
                        workers = try JSONValue.parse(Array(result.stdout.utf8)).arrayValue ?? []
                        if workers.isEmpty { try await Task.sleep(for: .milliseconds(250)) }
                    }
                    let me = try #require(workers.first, "\(result)")
                    #expect(me["pid"]?.lenientString == String(serve.process.pid))
                    #expect(me["roles"]?.arrayValue?.compactMap(\.stringValue) == ["callbacks", "admin", "feeder", "workers"])
                    #expect(me["alive"] == .bool(true))
                    result = try await bench.reel(["workers", "ls", "--storage", bench.storage.path], env)
                    #expect(result.stdout.hasPrefix("PROCESS") && result.stdout.contains("alive"), "\(result)")
                    let stopped = try await serve.stop()
                    #expect(stopped.status == 0, "\(stopped)")
                }
                result = try await bench.reel(["workers", "ls", "--json", "--storage", bench.storage.path], env)
                #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || result.stdout.contains("[]"),
                        "a graceful stop removes its heartbeat: \(result)")

                try await PostgresTestDatabase.dropSchema(client)
                result = try await bench.reel(["jobs", "ls", "--storage", bench.storage.path], env)
                #expect(result.status == 2 && result.stderr.contains("reel db migrate"), "\(result)")
            }
        }
    }
}

extension PostgresServeTests {
    /// `reel migrate --to-database` moves the embedded queue and watch list, keeps states and dates (a running job comes
    /// in pending), changes nothing when run again, and refuses while a reel serve beats on the root.
    @Test func migrateMovesTheEmbeddedStateOnceAndResumes() async throws {
        try await withQueueRoot { root in
            try await PostgresTestDatabase.withDatabase { client, url in
                let queue = FileJobQueue(root: root)
                _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
                _ = try await queue.enqueue(taskId: "T2", kind: "m2v", reason: "callback")
                _ = try await queue.claim(owner: JobOwner.current) // T1 running
                let watch = WatchList(root: root)
                let watched = try await watch.add(["W1", "W2"], kind: "m2v")
                let arguments = ["migrate", "--to-database", url, "--storage", root.path]
                var result = try await ReelProcess.run(arguments)
                #expect(result.status == 0 && result.stdout.contains("jobs: 2 moved") && result.stdout.contains("watched tasks: 2 moved")
                        && result.stdout.contains("catalog index: 0 task(s) indexed"), "\(result)")
                #expect(try await client.value("SELECT state FROM reel_jobs WHERE task_id = 'T1'", as: String.self) == "pending",
                        "a running job comes in pending")
                #expect(try await client.value("SELECT reason FROM reel_jobs WHERE task_id = 'T2'", as: String.self) == "callback")
                let moved = try await PostgresWatchList(client: client).list()
                #expect(moved == watched, "entries keep their dates")
                result = try await ReelProcess.run(arguments)
                #expect(result.status == 0 && result.stdout.contains("jobs: 0 moved, 2 already"), "a rerun changes nothing: \(result)")
                #expect(try await client.value("SELECT count(*) FROM reel_jobs", as: Int.self) == 2)

                try await FileWorkerRegistry(root: root).beat(
                    WorkerRecord(id: "\(JobOwner.hostname):1", roles: ["workers"], host: JobOwner.hostname, pid: 1, startedAt: Date(),
                                 heartbeatAt: Date(), jobs: []), forgetAfter: .seconds(3600))
                result = try await ReelProcess.run(arguments)
                #expect(result.status == 1 && result.stderr.contains("stop it first"), "\(result)")
                result = try await ReelProcess.run(["migrate", "--to-database", "mysql://x", "--storage", root.path])
                #expect(result.status == 2, "\(result)")
                let password = try #require(URLComponents(string: url)?.password)
                #expect(!result.stderr.contains(password))
            }
        }
    }
}

extension ReelBench {
    func reel(_ arguments: [String], _ changes: [String: String?]) async throws -> ReelResult {
        try await ReelProcess.start(arguments, environment: environment(changes)).wait(timeout: .seconds(120))
    }
}
