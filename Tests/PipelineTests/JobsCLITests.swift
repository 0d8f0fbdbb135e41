import Foundation
import Testing
@testable import Pipeline

/// `reel watch …` and `reel jobs …` through the built binary; their logic is the queue's and the watch list's,
/// tested directly.
@Suite("CLI: reel watch, reel jobs")
struct JobsCLITests {
    @Test func watchAddListRemove() async throws {
        try await withQueueRoot { root in
            let storage = ["--storage", root.path]
            var result = try await ReelProcess.run(["watch", "add", "T1", "T2", "--kind", "m2v"] + storage)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.split(separator: "\n").count == 2)
            result = try await ReelProcess.run(["watch", "add", "T1"] + storage)
            #expect(result.status == 0 && result.stdout.contains("already watched"), "\(result)")

            result = try await ReelProcess.run(["watch", "ls"] + storage)
            #expect(result.status == 0)
            #expect(result.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) } == ["T1", "T2"])

            result = try await ReelProcess.run(["watch", "ls", "--json"] + storage)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(json.map { $0["taskId"] as? String } == ["T1", "T2"])
            for key in ["taskId", "kind", "addedAt", "nextPollAt", "polls"] { #expect(json[0][key] != nil, "\(key)") }

            result = try await ReelProcess.run(["watch", "rm", "T1", "T9"] + storage)
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout.contains("removed T1") && result.stderr.contains("T9"))
            #expect(try await WatchList(root: root).list().map(\.taskId) == ["T2"])
            result = try await ReelProcess.run(["watch", "rm", "T2"] + storage)
            #expect(result.status == 0)
        }
    }

    @Test func watchRefusesBadInputBeforeTouchingDisk() async throws {
        try await withQueueRoot { root in
            let storage = ["--storage", root.appendingPathComponent("fresh").path]
            for arguments in [["watch", "add", "../evil"], ["watch", "add", "T1", "--kind", "nope"], ["watch", "rm", "a/b"], ["watch", "add"]] {
                let result = try await ReelProcess.run(arguments + storage)
                #expect(result.status == 2, "\(result)")
            }
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("fresh").path))
        }
    }

    @Test func jobsListRetryCancel() async throws {
        try await withQueueRoot { root in
            let storage = ["--storage", root.path]
            let queue = FileJobQueue(root: root, maxAttempts: 1)
            for id in ["A", "B", "C"] { _ = try await queue.enqueue(taskId: id, kind: "m2v", reason: "callback") }
            let a = try #require(try await queue.claim(owner: JobOwner.current))
            _ = try await queue.fail(a.id, error: "upstream said no", retryAfter: nil)

            var result = try await ReelProcess.run(["jobs", "ls"] + storage)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.split(separator: "\n").count == 3)
            result = try await ReelProcess.run(["jobs", "ls", "--state", "failed", "--json"] + storage)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(json.count == 1 && json[0]["id"] as? String == "m2v-A" && json[0]["state"] as? String == "failed")
            #expect(json[0]["lastError"] as? String == "upstream said no")
            for key in ["taskId", "kind", "attempts", "maxAttempts", "notBefore", "createdAt", "updatedAt", "reason"] {
                #expect(json[0][key] != nil, "\(key)")
            }
            result = try await ReelProcess.run(["jobs", "ls", "--state", "bogus"] + storage)
            #expect(result.status == 2, "\(result)")

            result = try await ReelProcess.run(["jobs", "retry", "m2v-A"] + storage)
            #expect(result.status == 0, "\(result)")
            #expect(try await queue.get("m2v-A")?.state == .pending)

            result = try await ReelProcess.run(["jobs", "cancel", "m2v-B"] + storage)
            #expect(result.status == 0, "\(result)")
            #expect(try await queue.get("m2v-B")?.state == .cancelled)
            result = try await ReelProcess.run(["jobs", "retry", "--failed"] + storage)
            #expect(result.status == 0, "\(result)")

            for arguments in [["jobs", "retry", "m2v-nope"], ["jobs", "cancel", "m2v-nope"]] {
                result = try await ReelProcess.run(arguments + storage)
                #expect(result.status == 1, "\(result)")
                #expect(result.stderr.contains("m2v-nope"))
            }
            for arguments in [["jobs", "retry"], ["jobs", "retry", "m2v-A", "--failed"], ["jobs", "cancel", "../x"]] {
                result = try await ReelProcess.run(arguments + storage)
                #expect(result.status == 2, "\(result)")
            }
        }
    }

    /// kill -9 (a failpoint) between a state change's rewrite and its move, and in the middle of a
    /// watch-list write: nothing is lost, the next command sees a consistent state.
    @Test func killedMidWriteLosesNothing() async throws {
        try await withQueueRoot { root in
            let storage = ["--storage", root.path]
            let queue = FileJobQueue(root: root, maxAttempts: 1)
            _ = try await queue.enqueue(taskId: "A", kind: "m2v", reason: "cli")
            let a = try #require(try await queue.claim(owner: JobOwner.current))
            _ = try await queue.fail(a.id, error: "x", retryAfter: nil)

            var result = try await ReelProcess.run(["jobs", "retry", "m2v-A"] + storage, environment: ["REEL_FAILPOINT": "queue.job.rewritten"])
            #expect(result.killedBySignal && result.status == SIGKILL, "\(result)")
            #expect(queueFiles(root, "failed") == ["m2v-A.json"])        // content already says pending
            result = try await ReelProcess.run(["jobs", "ls", "--json"] + storage)
            #expect(result.status == 0)
            #expect(try await queue.list(state: nil).map(\.state) == [.pending])
            #expect(queueFiles(root, "failed").isEmpty && queueFiles(root, "pending") == ["m2v-A.json"])

            try await WatchList(root: root).add(["W1"], kind: "m2v")
            result = try await ReelProcess.run(["watch", "add", "W2"] + storage, environment: ["REEL_FAILPOINT": "watch.written"])
            #expect(result.killedBySignal, "\(result)")
            #expect(try await WatchList(root: root).list().map(\.taskId) == ["W1"])
            result = try await ReelProcess.run(["watch", "add", "W2"] + storage)
            #expect(result.status == 0)
            #expect(try await WatchList(root: root).list().map(\.taskId) == ["W1", "W2"])
        }
    }
}

extension JobsCLITests {
    /// A done job shows how its run went (`ok`, or `attention` and what needs it), in the line and in `--json`; `--limit`
    /// and `--offset` page the list, oldest first.
    @Test func doneJobsShowTheirOutcomeAndTheListPages() async throws {
        try await withQueueRoot { root in
            let storage = ["--storage", root.path]
            let queue = FileJobQueue(root: root)
            for id in ["A", "B", "C", "D"] {
                _ = try await queue.enqueue(taskId: id, kind: "m2v", reason: "callback")
                try await Task.sleep(for: .milliseconds(2))
            }
            try await queue.complete(try #require(try await queue.claim(owner: JobOwner.current)).id, outcome: JobOutcome(result: "ok"))
            try await queue.complete(try #require(try await queue.claim(owner: JobOwner.current)).id,
                                     outcome: JobOutcome(result: "attention", message: "script 0 export: mismatch\u{1B}[31m"))
            var result = try await ReelProcess.run(["jobs", "ls"] + storage)
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 4 && lines[0].contains("m2v-A  done ok  ") && lines[1].contains("m2v-B  done attention: script 0 export: mismatch"), "\(result)")
            #expect(!result.stdout.contains("\u{1B}"), "upstream text is escaped")
            result = try await ReelProcess.run(["jobs", "ls", "--json", "--limit", "2", "--offset", "1"] + storage)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(json.map { $0["id"] as? String } == ["m2v-B", "m2v-C"])
            #expect((json[0]["outcome"] as? [String: Any])?["result"] as? String == "attention")
            #expect(json[1]["outcome"] is NSNull, "a job not run yet has a null outcome")
            for bad in [["--limit", "0"], ["--offset", "-1"]] {
                #expect(try await ReelProcess.run(["jobs", "ls"] + bad + storage).status == 2, "\(bad)")
            }
        }
    }
}
