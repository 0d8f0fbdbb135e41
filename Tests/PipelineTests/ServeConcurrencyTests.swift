import Foundation
import Testing

/// Several `reel archive` processes and a `reel serve` on one storage root, all working the same tasks.
@Suite("reel serve and reel archive on one storage root")
struct ServeConcurrencyTests {
    @Test func archivesAndTheServiceShareOneRootWithoutDuplicates() async throws {
        try await withServe { bench, serve in
            let tasks = [taskId("ready"), taskId("ready"), taskId("partial")]
            // The service hears of every task while three CLI runs archive the same tasks at the same time.
            async let cli1 = bench.reel(["archive"] + tasks)
            async let cli2 = bench.reel(["archive"] + tasks.reversed())
            async let cli3 = bench.reel(["archive", tasks[0], "--jobs", "2"])
            for task in tasks {
                let reply = try await serve.callback(callbackBody(taskId: task))
                #expect(reply.status == 200, "\(reply)")
            }
            let runs = try await [cli1, cli2, cli3]
            #expect(runs[0].status == 1 && runs[1].status == 1, "partial needs attention: \(runs)")
            #expect(runs[2].status == 0, "\(runs[2])")
            try await waitForQueueToSettle(bench)
            for task in tasks.prefix(2) {
                _ = try await serve.waitForTask(task)
                // Each file exists once, fetched once per media URL by whoever held the task's lock first.
                let requests = try await bench.mediaRequests(task).filter { $0.status == 200 || $0.status == 206 }
                #expect(requests.filter { $0.path.hasSuffix("preview-0.mp4") }.count == 1, "\(requests)")
            }
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }
}

extension ReelBench {
    func reel(_ arguments: [String]) async throws -> ReelResult {
        try await ReelProcess.start(arguments, environment: environment).wait(timeout: .seconds(240)).checkedForKey(apiKey)
    }
}
