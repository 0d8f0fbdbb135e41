import Foundation
import PostgresNIO
import Testing

/// Several `reel serve` processes sharing one PostgreSQL and one storage root, each with its roles, killed, paused and
/// flooded as a deployment is (issue: shared state in PostgreSQL, "Tests that must pass").
@Suite("A deployment of several processes on PostgreSQL", .enabled(if: PostgresTestDatabase.isAvailable), .serialized)
struct ClusterTests {
    /// 12 tasks, one edge process (callbacks, admin, feeder) and three workers; one worker dies at the failpoint on its
    /// first job. Every task ends archived, the catalog verifies, and with `archive.checkpointed` (the source kept and
    /// recorded) the killed job's files are downloaded once; with `archive.source.committed` (kept, not recorded) no
    /// orphan file stays.
    /// On S3 too: every object in the bucket, nothing of the catalog under `REEL_STORAGE`, the killed job's source
    /// taken from its object, not the upstream.
    @Test(arguments: [("archive.checkpointed", ClusterStore.local), ("archive.source.committed", .local),
                      ("archive.checkpointed", .freshS3()), ("archive.source.committed", .freshS3())])
    func aWorkerKilledMidJobLosesNothing(_ failpoint: String, _ store: ClusterStore) async throws {
        if store.isS3, !S3Oracle.isAvailable { return }
        try await withCluster(store: store) { bench, client, url, nodes in
            let edge = try await nodes.start(bench, url, roles: "callbacks,admin,feeder")
            // One job at a time, so that the job it dies in is the first it started.
            let doomed = try await nodes.start(bench, url, roles: "workers", ["REEL_FAILPOINT": "\(failpoint)@1", "REEL_WORKERS": "1"])
            let tasks = (0..<12).map { _ in taskId("ready") }
            for task in tasks {
                let reply = try await edge.callback(callbackBody(taskId: task))
                #expect(reply.status == 200, "\(reply)")
            }
            let died = try await doomed.process.wait(timeout: .seconds(120))
            #expect(died.killedBySignal, "the worker died at \(failpoint): \(died)")
            let killedTask = try #require(Self.firstStartedTask(died.stderr), "\(died)")
            _ = try await nodes.start(bench, url, roles: "workers")
            _ = try await nodes.start(bench, url, roles: "workers")
            #expect(try await client.waitFor("SELECT count(*) FROM reel_jobs WHERE state = 'done'", as: Int.self, timeout: .seconds(400)) { $0 == 12 },
                    "every job done")
            #expect(try await client.value("SELECT count(*) FROM reel_jobs", as: Int.self) == 12, "one job per task")
            for task in tasks {
                let (_, manifest) = try await bench.show(task)
                #expect(manifest.assets.map(\.state) == [.archived, .archived], "\(task)")
                #expect(try await store.unaccountedFiles(ofTask: task, manifest: manifest, bench: bench).isEmpty, "no orphan in \(task)")
                if store.isS3 { #expect(try await store.files(ofTask: task, bench: bench).count == manifest.referencedPaths.count + 1, "\(task)") }
            }
            if case .s3(let prefix, _) = store {
                #expect(!FileManager.default.fileExists(atPath: bench.storage.path), "nothing of the catalog under REEL_STORAGE")
                // Every object read back with awscli (one recursive copy): each has the SHA-256 its manifest records,
                // and each source is the file the upstream served.
                let copy = FileManager.default.temporaryDirectory.appendingPathComponent("reel-s3-copy-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: copy) }
                try await S3Oracle.aws("s3", "cp", "--recursive", "--only-show-errors", "s3://\(S3Oracle.bucket)/\(prefix)/", copy.path)
                for task in tasks {
                    let (_, manifest) = try await bench.show(task)
                    for asset in manifest.assets {
                        let source = try #require(asset.source)
                        #expect(try await S3Oracle.sha256sum(copy.appendingPathComponent(source.path)) == source.sha256, "\(source.path)")
                        #expect(source.sha256 == (try await S3Oracle.sha256sum(bench.sandbox.media("small.mp4"))), "\(source.path) is the served file")
                        for rendition in asset.renditions {
                            #expect(try await S3Oracle.sha256sum(copy.appendingPathComponent(rendition.path)) == rendition.sha256, "\(rendition.path)")
                        }
                    }
                }
            }
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
            if failpoint == "archive.checkpointed" {
                // Once: no file fetched whole twice (a download cut by the kill is resumed with a Range, 206).
                let media = try await bench.mediaRequests(killedTask)
                let whole = Dictionary(grouping: media.filter { $0.status == 200 }, by: \.path)
                #expect(!whole.isEmpty && whole.values.allSatisfy { $0.count == 1 },
                        "each file of the killed job downloaded once: \(media.map { "\($0.path) \($0.status) \($0.range ?? "-")" })")
            }
            for node in nodes.all where node.process.process.isRunning {
                let stopped = try await node.stop()
                #expect(stopped.status == 0, "\(stopped)")
            }
        }
    }

    /// A worker paused (SIGSTOP) while it holds a job: its job lease and task lock expire, another worker archives the
    /// task meanwhile; when the paused one resumes, it finds its lease lost, cancels its run and writes nothing (its
    /// manifest writes are fenced); the task is archived once and verifies.
    @Test(arguments: [ClusterStore.local, .freshS3()])
    func aPausedWorkerIsFencedWhenItResumes(_ store: ClusterStore) async throws {
        if store.isS3, !S3Oracle.isAvailable { return }
        try await withCluster(store: store) { bench, client, url, nodes in
            let lease: [String: String?] = ["REEL_LEASE": "2"]
            let edge = try await nodes.start(bench, url, roles: "callbacks,admin,feeder", lease)
            let zombie = try await nodes.start(bench, url, roles: "workers", lease)
            let task = taskId("trickle")
            #expect(try await edge.callback(callbackBody(taskId: task)).status == 200)
            #expect(try await client.waitFor("SELECT owner FROM reel_jobs WHERE task_id = \(task) AND state = 'running'", as: String.self) {
                $0 == zombie.owner
            }, "the first worker holds the job")
            zombie.process.kill(SIGSTOP)
            // The rescuer's own lease is long, so that only the paused worker's lease is under test (on a loaded machine
            // a 2 s lease can lapse between two renewals). The worker may be stopped inside a transaction: its session
            // ends after idle_in_transaction_session_timeout, and its locks with it (PostgresTaskLocksTests).
            let rescuer = try await nodes.start(bench, url, roles: "workers", ["REEL_LEASE": "20"])
            #expect(try await client.waitFor("SELECT owner FROM reel_jobs WHERE task_id = \(task) AND state = 'running'", as: String.self, timeout: .seconds(60)) {
                $0 == rescuer.owner
            }, "another worker has the job after the lease expired")
            // The task lock is a lease too: the paused worker does not hold the task up.
            #expect(try await client.waitFor("SELECT state FROM reel_jobs WHERE task_id = \(task)", as: String.self, timeout: .seconds(300)) { $0 == "done" },
                    "archived while the first worker is still paused; the rescuer said: \(rescuer.process.stderrSoFar.suffix(3000))")
            zombie.process.kill(SIGCONT)
            #expect(await zombie.process.waitForStderr(containing: "lease lost", timeout: .seconds(30)), "\(zombie.process.stderrSoFar.suffix(3000))")
            try await Task.sleep(for: .seconds(2)) // what the resumed worker would still write
            let (_, manifest) = try await bench.show(task)
            #expect(manifest.assets.map(\.state) == [.archived, .archived])
            #expect(try await store.unaccountedFiles(ofTask: task, manifest: manifest, bench: bench).isEmpty)
            #expect(!zombie.process.stderrSoFar.contains("job done"), "the fenced worker recorded nothing")
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    /// 200 duplicate callbacks for 10 tasks across two edge processes make one job per task; a callback that arrives
    /// while its job runs makes exactly one rerun.
    @Test(arguments: [ClusterStore.local, .freshS3()])
    func duplicateCallbacksAcrossEdgesMakeOneJobPerTask(_ store: ClusterStore) async throws {
        if store.isS3, !S3Oracle.isAvailable { return }
        try await withCluster(store: store) { bench, client, url, nodes in
            let a = try await nodes.start(bench, url, roles: "callbacks,admin")
            let b = try await nodes.start(bench, url, roles: "callbacks")
            let tasks = (0..<10).map { _ in taskId("ready") }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for n in 0..<200 {
                    if n >= 25, let status = try await group.next() { #expect(status == 200) } // 25 in flight
                    group.addTask { try await (n.isMultiple(of: 2) ? a : b).callback(callbackBody(taskId: tasks[n % 10])).status }
                }
                for try await status in group { #expect(status == 200) }
            }
            #expect(try await client.value("SELECT count(*) FROM reel_jobs", as: Int.self) == 10)
            #expect(try await client.value("SELECT count(DISTINCT task_id) FROM reel_jobs WHERE state = 'pending'", as: Int.self) == 10)

            let worker = try await nodes.start(bench, url, roles: "workers", ["REEL_WORKERS": "1"])
            let slow = taskId("trickle")
            #expect(try await a.callback(callbackBody(taskId: slow)).status == 200)
            #expect(try await client.waitFor("SELECT state FROM reel_jobs WHERE task_id = \(slow)", as: String.self, timeout: .seconds(240)) {
                $0 == "running"
            })
            for n in 0..<6 { #expect(try await (n.isMultiple(of: 2) ? a : b).callback(callbackBody(taskId: slow)).status == 200) }
            #expect(try await client.value("SELECT rerun_requested FROM reel_jobs WHERE task_id = \(slow)", as: Bool.self) == true)
            #expect(try await client.waitFor("SELECT count(*) FROM reel_jobs WHERE state = 'done'", as: Int.self, timeout: .seconds(400)) { $0 == 11 })
            let runs = worker.process.stderrSoFar.split(separator: "\n").filter { $0.contains("job started") && $0.contains(slow) }
            #expect(runs.count == 2, "the running job ran once more, not six times: \(runs)")
        }
    }

    /// Two feeders: one holds the lease; killed, the other takes over within two leases; paused, likewise, and the
    /// paused one, resumed, no longer leads.
    @Test func theFeederLeaseFailsOverOnKillAndOnPause() async throws {
        try await withCluster { bench, client, url, nodes in
            let lease: [String: String?] = ["REEL_LEASE": "2"]
            let first = try await nodes.start(bench, url, roles: "feeder", lease)
            #expect(try await client.waitFor("SELECT holder FROM reel_leaders WHERE name = 'feeder'", as: String.self) { $0 == first.owner })
            let second = try await nodes.start(bench, url, roles: "feeder", lease)
            try await Task.sleep(for: .seconds(3))
            #expect(try await client.value("SELECT holder FROM reel_leaders WHERE name = 'feeder'", as: String.self) == first.owner,
                    "the holder keeps its lease while it renews")

            let killedAt = ContinuousClock.now
            first.process.kill(SIGKILL)
            #expect(try await client.waitFor("SELECT holder FROM reel_leaders WHERE name = 'feeder'", as: String.self, timeout: .seconds(30)) {
                $0 == second.owner
            })
            let takeover = ContinuousClock.now - killedAt
            #expect(takeover < .seconds(4) + .seconds(3), "taken over within two leases (plus a poll): \(takeover)")

            let third = try await nodes.start(bench, url, roles: "feeder", lease)
            let pausedAt = ContinuousClock.now
            second.process.kill(SIGSTOP)
            #expect(try await client.waitFor("SELECT holder FROM reel_leaders WHERE name = 'feeder'", as: String.self, timeout: .seconds(30)) {
                $0 == third.owner
            })
            #expect(ContinuousClock.now - pausedAt < .seconds(7), "taken over from a paused leader within two leases")
            second.process.kill(SIGCONT)
            #expect(await second.process.waitForStderr(containing: "leader lease lost", timeout: .seconds(20)),
                    "\(second.process.stderrSoFar.suffix(2000))")
            try await Task.sleep(for: .seconds(3))
            #expect(try await client.value("SELECT holder FROM reel_leaders WHERE name = 'feeder'", as: String.self) == third.owner)
        }
    }

    /// The task id of the first "job started" line of a worker's log.
    static func firstStartedTask(_ log: String) -> String? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("job started") }),
              let range = line.range(of: "task.id=") else { return nil }
        return String(line[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," && $0 != "]" })
    }
}
