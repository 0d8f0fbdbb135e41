import Foundation
import PostgresNIO
import ReelPostgres
import Testing

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
                }
            }
        }
    }
}

extension ReelBench {
    func reel(_ arguments: [String], _ changes: [String: String?]) async throws -> ReelResult {
        try await ReelProcess.start(arguments, environment: environment(changes)).wait(timeout: .seconds(120))
    }
}
