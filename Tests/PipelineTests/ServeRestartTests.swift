import Catalog
import Foundation
import Testing
import TopView

/// Restarts do not burn attempts: more SIGTERMs than `maxAttempts` leave the job pending with no attempt used, a
/// SIGKILL counts one interruption, and the job is archived by the next start without a manual retry.
@Suite("reel serve: restarts are not failures")
struct ServeRestartTests {
    @Test func sixGracefulStopsAndAKillLeaveTheJobToBeArchived() async throws {
        try await withBench { bench in
            let task = taskId("demo")
            for round in 1...6 {
                try await withServeProcess(bench) { serve in
                    if round == 1 {
                        let reply = try await serve.callback(callbackBody(taskId: task))
                        #expect(reply.status == 200, "\(reply)")
                    }
                    let started = try await waitForJobInProgress(bench, task: task, serve: serve)
                    let stopped = try await serve.stop(SIGTERM, timeout: .seconds(60))
                    try #require(started, "round \(round): the job never got going: \(stopped)")
                    #expect(stopped.status == 0, "\(stopped)")
                }
                let job = try #require(try await bench.jobs().first)
                #expect(job["state"]?.stringValue == "pending" && job["attempts"] == .number(0) && job["interruptions"] == .number(0),
                        "round \(round): a graceful stop is not counted: \(job)")
            }
            try await withServeProcess(bench) { serve in
                _ = try await waitForJobInProgress(bench, task: task, serve: serve)
                _ = try await serve.stop(SIGKILL)
            }
            try await withServeProcess(bench) { serve in
                let document = try await serve.waitForTask(task, timeout: .seconds(180)) { ServeProcess.states($0)["0-preview"] == "archived" }
                #expect(ServeProcess.states(document)["0-preview"] == "archived")
                try await waitForQueueToSettle(bench)
                let stopped = try await serve.stop()
                #expect(stopped.status == 0, "\(stopped)")
            }
            let job = try #require(try await bench.jobs().first)
            #expect(job["state"]?.stringValue == "done" && job["interruptions"] == .number(0), "\(job)")
        }
    }
}
