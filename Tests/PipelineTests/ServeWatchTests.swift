import Catalog
import Foundation
import Testing
import TopView

/// `reel serve`'s feeder: tasks on the watch list are polled until they settle, archived, and kept watched while
/// an item is still null, until the horizon.
@Suite("reel serve: watch list")
struct ServeWatchTests {
    @Test func aWatchedTaskThatFinishesLaterIsArchived() async throws {
        try await withServe { bench, serve in
            let task = taskId("progress")
            let add = try await bench.reel("watch", "add", task)
            #expect(add.status == 0, "\(add)")
            let document = try await serve.waitForTask(task)
            #expect(ServeProcess.states(document) == ["0-preview": "archived", "0-export": "archived"])
            #expect(document["status"]?.stringValue == "success")
            try await waitForWatchList(bench, toBe: [])
            let jobs = try await bench.jobs()
            #expect(jobs.map { $0["reason"]?.stringValue } == ["watch"], "\(jobs)")
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test func anExportRequestedLaterIsArchivedWithinTheHorizon() async throws {
        try await withServe { bench, serve in
            let task = taskId("late")
            let add = try await bench.reel("watch", "add", task)
            #expect(add.status == 0, "\(add)")
            // The preview first (the export is still null upstream)…
            try await serve.waitForTask(task) { ServeProcess.states($0)["0-preview"] == "archived" }
            // …then the export, without anyone asking again.
            let document = try await serve.waitForTask(task)
            #expect(ServeProcess.states(document) == ["0-preview": "archived", "0-export": "archived"])
            try await waitForWatchList(bench, toBe: [])
            try await waitForQueueToSettle(bench)
            let (_, manifest) = try await bench.show(task)
            #expect(bench.unaccountedFiles(ofTask: task, manifest: manifest) == [])
            #expect(try await bench.mediaRequests(task).count == 4, "each file fetched once")
        }
    }

    @Test func aTaskStillWaitingForAnItemIsDroppedAfterTheHorizon() async throws {
        try await withServe(extraArguments: ["--watch-horizon", "10"]) { bench, serve in
            // `partial`: settled with its export null for ever.
            let task = taskId("partial")
            let add = try await bench.reel("watch", "add", task)
            #expect(add.status == 0, "\(add)")
            try await serve.waitForTask(task) { ServeProcess.states($0)["0-preview"] == "archived" }
            let watched = try await bench.reel("watch", "ls", "--json")
            #expect(watched.stdout.contains(task), "still watched within the horizon: \(watched)")
            try await waitForWatchList(bench, toBe: [], timeout: .seconds(30))
            let document = try #require(try await serve.task(task))
            #expect(ServeProcess.states(document)["0-export"] == "absent")
        }
    }

    @Test func aTaskWatchedWhileTheServiceIsDownIsArchivedWhenItStarts() async throws {
        try await withBench { bench in
            let task = taskId("progress")
            // Watched while no server runs; a server started later picks it up.
            let add = try await bench.reel("watch", "add", task)
            #expect(add.status == 0, "\(add)")
            try await withServeProcess(bench) { serve in
                try await serve.waitForTask(task)
                let stopped = try await serve.stop()
                #expect(stopped.status == 0, "\(stopped)")
            }
        }
    }
}

/// Waits until `reel watch ls --json` lists exactly `tasks`.
func waitForWatchList(_ bench: ReelBench, toBe tasks: Set<String>, timeout: Duration = .seconds(60),
                      sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + timeout
    var listed: Set<String> = []
    while ContinuousClock.now < deadline {
        let result = try await bench.reel("watch", "ls", "--json")
        let json = try JSONValue.parse(Array(result.stdout.utf8))
        listed = Set((json.arrayValue ?? []).compactMap { $0["taskId"]?.stringValue })
        if listed == tasks { return }
        try await Task.sleep(for: .milliseconds(500))
    }
    Issue.record("watch list is \(listed), expected \(tasks)", sourceLocation: sourceLocation)
}
