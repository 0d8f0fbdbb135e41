import Catalog
import Foundation
import Synchronization
import Testing
import TopView
#if canImport(Glibc)
import Glibc
#endif

/// `reel serve` tells the next system in line: the archived task's `show --json` document is POSTed to
/// `REEL_NOTIFY_URL` (retried) and piped into `REEL_NOTIFY_COMMAND`.
@Suite("reel serve: notifications")
struct ServeNotifyTests {
    @Test func anArchivedTaskIsPostedToTheURLAndPipedIntoTheCommand() async throws {
        let receiver = try LoopbackStub.receiver(failFirst: 1)
        defer { receiver.stop() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-notify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let command = #"cat > "$NOTIFY_DIR/$REEL_TASK_ID.json" && env > "$NOTIFY_DIR/$REEL_TASK_ID.env""#
        try await withServe(environment: ["REEL_NOTIFY_URL": "\(receiver.url)/hooks/archived", "REEL_NOTIFY_COMMAND": command,
                                          "NOTIFY_DIR": scratch.path]) { bench, serve in
            let task = taskId("ready")
            let reply = try await serve.callback(callbackBody(taskId: task))
            #expect(reply.status == 200, "\(reply)")
            try await serve.waitForTask(task)
            let show = try await bench.reel("show", task, "--json")
            try #require(show.status == 0, "\(show)")

            // The URL: refused once (500), then accepted on the retry; the same document both times.
            let deadline = ContinuousClock.now + .seconds(120)
            while receiver.requests.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            let requests = receiver.requests
            #expect(requests.count == 2, "\(requests.map(\.head))\n\(serve.process.stderrSoFar)")
            for request in requests {
                #expect(request.head.hasPrefix("POST /hooks/archived HTTP/1.1"), "\(request.head)")
                #expect(request.head.lowercased().contains("content-type: application/json"), "\(request.head)")
                #expect(String(decoding: request.body, as: UTF8.self) == show.stdout, "\(serve.process.stderrSoFar)")
            }

            // The command: the document on stdin, the task id in the environment, no secrets.
            let written = scratch.appendingPathComponent("\(task).json")
            while !FileManager.default.fileExists(atPath: written.path), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect((try? String(contentsOf: written, encoding: .utf8)) == show.stdout)
            let environment = (try? String(contentsOf: scratch.appendingPathComponent("\(task).env"), encoding: .utf8)) ?? ""
            #expect(environment.contains("REEL_TASK_ID=\(task)"))
            #expect(!environment.contains(bench.apiKey) && !environment.contains(serve.secret), "secrets leak into the command")

            // A duplicate callback after the archive re-queries the task but has nothing new to tell.
            _ = try await serve.callback(callbackBody(taskId: task))
            try await waitForQueueToSettle(bench)
            try await Task.sleep(for: .seconds(1))
            #expect(receiver.requests.count == 2)
        }
    }
}
