import Catalog
import Foundation
import Pipeline
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
        // Long enough for a loaded machine to see the settled entry (one `reel watch ls`) before the horizon ends it.
        let horizon = 30.0
        try await withServe(extraArguments: ["--watch-horizon", "\(Int(horizon))"]) { bench, serve in
            // `partial`: settled with its export null for ever.
            let task = taskId("partial")
            let add = try await bench.reel("watch", "add", task)
            #expect(add.status == 0, "\(add)")
            // Settled at the first poll, and still watched while its export is null…
            var settledAt: Date?
            let deadline = ContinuousClock.now + .seconds(180)
            while settledAt == nil, ContinuousClock.now < deadline {
                // Read in process: a `reel watch ls` per poll can take longer than the horizon on a loaded machine.
                let entry = try await WatchList(root: bench.storage).listReadOnly().first { $0.taskId == task }
                try #require(entry != nil, "dropped before it settled")
                settledAt = entry?.settledAt
                if settledAt == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            let settled = try #require(settledAt, "never polled")
            // …until the horizon is over.
            try await waitForWatchList(bench, toBe: [], timeout: .seconds(180))
            // From below only: a loaded machine drops it later, never sooner.
            let watchedFor = Date().timeIntervalSince(settled)
            #expect(watchedFor >= horizon - 0.5, "dropped \(watchedFor) s after settling; the horizon is \(horizon) s")
            let document = try await serve.waitForTask(task) { ServeProcess.states($0)["0-preview"] == "archived" }
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

/// `reel watch ls --json`, parsed.
func watchEntries(_ bench: ReelBench) async throws -> [JSONValue] {
    let result = try await bench.reel("watch", "ls", "--json")
    try #require(result.status == 0, "\(result)")
    return try JSONValue.parse(Array(result.stdout.utf8)).arrayValue ?? []
}

/// Waits until `reel watch ls --json` lists exactly `tasks`.
func waitForWatchList(_ bench: ReelBench, toBe tasks: Set<String>, timeout: Duration = .seconds(180),
                      sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + timeout
    var listed: Set<String> = []
    while ContinuousClock.now < deadline {
        listed = Set(try await watchEntries(bench).compactMap { $0["taskId"]?.stringValue })
        if listed == tasks { return }
        try await Task.sleep(for: .milliseconds(500))
    }
    Issue.record("watch list is \(listed), expected \(tasks)", sourceLocation: sourceLocation)
}
