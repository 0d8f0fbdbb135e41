import Catalog
import Foundation
@testable import Pipeline
import Testing
import TopView

/// `reel serve` stopped the hard way and the soft way in the middle of a job, and refusing to start unconfigured.
@Suite("reel serve: kill, shutdown, configuration")
struct ServeLifecycleTests {
    @Test func aJobKilledWithTheServiceCompletesAfterARestart() async throws {
        try await withBench { bench in
            // `demo`: a 36 s video, long enough to be in the middle of its processing when the kill comes.
            let task = taskId("demo")
            try await withServeProcess(bench) { first in
                let reply = try await first.callback(callbackBody(taskId: task))
                #expect(reply.status == 200, "\(reply)")
                let started = try await waitForJobInProgress(bench, task: task, serve: first)
                let killed = try await first.stop(SIGKILL)
                #expect(killed.killedBySignal, "\(killed)")
                try #require(started, "the job never got going: \(killed)")
            }
            #expect(try await bench.jobs().map { $0["state"]?.stringValue } == ["running"], "the kill left the job running")

            try await withServeProcess(bench) { second in
                let document = try await second.waitForTask(task, timeout: .seconds(120)) { ServeProcess.states($0)["0-preview"] == "archived" }
                #expect(ServeProcess.states(document) == ["0-preview": "archived", "0-export": "absent"])
                try await waitForQueueToSettle(bench)
                let stopped = try await second.stop()
                #expect(stopped.status == 0, "\(stopped)")
                #expect(stopped.stderr.contains("recovered jobs left running"), "\(stopped)")
            }

            let jobs = try await bench.jobs()
            #expect(jobs.count == 1 && jobs.first?["state"]?.stringValue == "done", "\(jobs)")
            let (_, manifest) = try await bench.show(task)
            #expect(bench.unaccountedFiles(ofTask: task, manifest: manifest) == [], "partial or duplicate files")
            #expect(bench.files(ofTask: task).filter { $0.hasSuffix("source.mp4") }.count == 1)
            let source = try #require(manifest.assets.first { $0.role == .preview }?.source)
            #expect(try Oracle.sha256sum(bench.file(source.path)) == Oracle.sha256sum(bench.sandbox.media("demo.mp4")))
            // The restarted job resumed from the source kept before the kill: the video was downloaded once.
            let videoGets = try await bench.mediaRequests(task).filter { $0.path.hasSuffix("/preview-0.mp4") }
            #expect(videoGets.count == 1, "\(videoGets.map(\.path))")
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test func sigtermStopsPromptlyWhileAJobRunsAndLeavesNothingHalfWritten() async throws {
        try await withBench { bench in
            let task = taskId("demo")
            try await withServeProcess(bench) { serve in
                let reply = try await serve.callback(callbackBody(taskId: task))
                #expect(reply.status == 200, "\(reply)")
                let started = try await waitForJobInProgress(bench, task: task, serve: serve)
                let signalled = ContinuousClock.now
                let stopped = try await serve.stop(SIGTERM, timeout: .seconds(30))
                let took = ContinuousClock.now - signalled
                try #require(started, "the job never got going: \(stopped)")
                #expect(stopped.status == 0 && !stopped.killedBySignal, "\(stopped)")
                #expect(took < .seconds(15), "SIGTERM took \(took)")
                _ = stopped.checkedForKey(bench.apiKey)
            }

            // Nothing half-written: no staging or temporary file, no file the manifest does not account for,
            // nothing archived that is not complete, and the job is still there to be resumed.
            let files = bench.snapshot().keys
            #expect(!files.contains { $0.contains("/.staging/") || $0.hasSuffix(".tmp") || $0.hasSuffix(".part") }, "\(files.sorted())")
            let (_, manifest) = try await bench.show(task)
            #expect(bench.unaccountedFiles(ofTask: task, manifest: manifest) == [])
            // Shutdown interrupted the decode, not the download: the video is kept for the resumed job.
            let preview = manifest.assets.first { $0.role == .preview }
            #expect(preview?.state == .pending && preview?.source != nil, "\(String(describing: preview))")
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
            let jobs = try await bench.jobs()
            #expect(jobs.count == 1 && ["running", "pending"].contains(jobs.first?["state"]?.stringValue ?? ""), "\(jobs)")
        }
    }

    @Test func anIdleServiceStopsAtOnceOnSigint() async throws {
        try await withBench { bench in
            try await withServeProcess(bench) { serve in
                let health = try await serve.admin("GET", "/healthz")
                #expect(health.status == 200, "\(health)")
                let signalled = ContinuousClock.now
                let stopped = try await serve.stop(SIGINT, timeout: .seconds(30))
                #expect(stopped.status == 0 && !stopped.killedBySignal, "\(stopped)")
                #expect(ContinuousClock.now - signalled < .seconds(15))
            }
        }
    }

    @Test func serveRefusesToStartWithoutACallbackSecret() async throws {
        try await withBench { bench in
            for secret in [nil, "", "short", "has space in it", "slash/secret-123"] as [String?] {
                let environment: [String: String?] = ["REEL_CALLBACK_SECRET": secret]
                let result = try await bench.reel("serve", "--storage", bench.storage.path, "--callback-bind", "127.0.0.1:0",
                                                  "--bind", "127.0.0.1:0", environment: environment, timeout: .seconds(30))
                #expect(result.status == 2 && !result.killedBySignal, "\(String(describing: secret)): \(result)")
                #expect(result.stderr.contains("REEL_CALLBACK_SECRET"), "\(result)")
                #expect(!result.stderr.contains("reel serve: callbacks on"), "it listened: \(result)")
            }
            for bind in ["nonsense", "127.0.0.1:99999", "::1:80"] {
                let result = try await bench.reel("serve", "--bind", bind, environment: ["REEL_CALLBACK_SECRET": ServeProcess.defaultSecret],
                                                  timeout: .seconds(30))
                #expect(result.status == 2, "\(bind): \(result)")
            }
        }
    }
}

/// Waits until the task's job is running and its video is downloaded and kept (the source committed and recorded in
/// the manifest: the job is processing); false if that does not happen within `timeout`.
func waitForJobInProgress(_ bench: ReelBench, task: String, serve: ServeProcess, timeout: Duration = .seconds(60)) async throws -> Bool {
    let expected = try Oracle.size(bench.sandbox.media("demo.mp4"))
    let id = try TaskID(validating: task)
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline, serve.process.process.isRunning {
        let kept = (try? Catalog.manifest(root: bench.storage, for: id))?.assets.contains { asset in
            asset.role == .preview && asset.state == .pending && asset.source?.bytes == expected
        } ?? false
        // Read in process (a `reel jobs ls` per poll is slow on a loaded machine, and the window lasts seconds).
        if kept, try await !FileJobQueue(root: bench.storage).listReadOnly(state: .running).jobs.isEmpty { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}
