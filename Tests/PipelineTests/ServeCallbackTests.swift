import Catalog
import Foundation
import Testing
import TopView

/// `reel serve`'s callback listener over real HTTP: callbacks end archived, duplicates collapse, and the listener
/// refuses everything that is not a good callback.
@Suite("reel serve: callbacks")
struct ServeCallbackTests {
    @Test func aCallbackIsAcknowledgedAndItsTaskArchived() async throws {
        try await withServe { bench, serve in
            let objectTask = taskId("ready"), stringTask = taskId("ready")
            for (task, asString) in [(objectTask, false), (stringTask, true)] {
                let uuid = "cb-\(UUID().uuidString)"
                let reply = try await serve.callback(callbackBody(uuid: uuid, taskId: task, resultAsString: asString), uid: "uid-\(task)")
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true, "\(reply)")
                let ack = try JSONValue.parse(Array(reply.body))
                let expected = try JSONValue.parse(Array(#"{"code":"200","message":"Success","result":{"uuid":"\#(uuid)","topviewUid":"uid-\#(task)","result":"success"}}"#.utf8))
                #expect(ack == expected, "\(reply)")
            }
            for task in [objectTask, stringTask] {
                let document = try await serve.waitForTask(task)
                #expect(ServeProcess.states(document) == ["0-preview": "archived", "0-export": "archived"])
                // The API answers the very document `reel show --json` prints.
                let api = try await serve.admin("GET", "/api/tasks/\(task)")
                let show = try await bench.reel("show", task, "--json")
                #expect(show.status == 0, "\(show)")
                #expect(api.text == show.stdout)
                #expect(try JSONValue.parse(Array(api.body)) == JSONValue.parse(Array(show.stdout.utf8)))
                #expect(api.header("Content-Type")?.hasPrefix("application/json") == true)
            }
            let jobs = try await bench.jobs()
            #expect(Set(jobs.compactMap { $0["taskId"]?.stringValue }) == [objectTask, stringTask])
            #expect(jobs.allSatisfy { $0["state"]?.stringValue == "done" && $0["reason"]?.stringValue == "callback" }, "\(jobs)")
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test func aHundredDuplicateCallbacksMakeOneJobAndOneSetOfFiles() async throws {
        try await withServe { bench, serve in
            let task = taskId("ready")
            let replies = try await withThrowingTaskGroup(of: (String, HTTPReply).self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        let uuid = UUID().uuidString
                        return (uuid, try await serve.callback(callbackBody(uuid: uuid, taskId: task)))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.count == 100)
            for (uuid, reply) in replies {
                #expect(reply.status == 200, "\(reply)")
                let ack = try JSONValue.parse(Array(reply.body))
                #expect(ack["code"]?.stringValue == "200" && ack["result"]?["uuid"]?.stringValue == uuid, "\(reply)")
            }
            try await serve.waitForTask(task)
            // Let a rerun asked by a late duplicate finish before looking at the queue and the files.
            try await waitForQueueToSettle(bench)
            let jobs = try await bench.jobs()
            #expect(jobs.count == 1, "\(jobs)")
            #expect(jobs.first?["id"]?.stringValue == "m2v-\(task)" && jobs.first?["state"]?.stringValue == "done", "\(jobs)")

            let gets = try await bench.mediaRequests(task)
            #expect(gets.count == 4, "each file fetched once: \(gets.map(\.path))")
            let (_, manifest) = try await bench.show(task)
            #expect(manifest.assets.map(\.state) == [.archived, .archived])
            #expect(bench.files(ofTask: task).filter { $0.hasSuffix("source.mp4") }.count == 2)
            #expect(bench.unaccountedFiles(ofTask: task, manifest: manifest) == [])

            let metrics = try await serve.metrics()
            let queued = metrics.value("reel_callbacks_total", ["result": "queued"]) ?? -1
            let duplicates = metrics.value("reel_callbacks_total", ["result": "duplicate"]) ?? -1
            #expect(queued >= 1 && queued + duplicates == 100, "queued \(queued), duplicates \(duplicates)")
        }
    }

    @Test func theCallbackListenerServesNothingElse() async throws {
        try await withServe { bench, serve in
            for target in ["/healthz", "/metrics", "/api/tasks", "/api/tasks/ready-1", "/files/index.sqlite", "/files/tasks/x", "/",
                           "/callbacks/topview", "/callbacks/topview/", "/callbacks/other/\(serve.secret)"] {
                let reply = try await serve.callbackListener("GET", target)
                #expect(reply.status == 404, "GET \(target): \(reply)")
            }
            for method in ["GET", "PUT", "DELETE", "HEAD"] {
                let reply = try await serve.callbackListener(method, serve.callbackPath)
                #expect([404, 405].contains(reply.status), "\(method) on the callback path: \(reply)")
            }
            // The admin listener does not take callbacks either.
            let misplaced = try await serve.admin("POST", serve.callbackPath, headers: [("Content-Type", "application/json")],
                                                  body: callbackBody(taskId: taskId("ready")))
            #expect(misplaced.status == 404 || misplaced.status == 405, "\(misplaced)")
            #expect(try await bench.jobs().isEmpty)
        }
    }

    @Test func badCallbacksAreRefusedAndQueueNothing() async throws {
        let wrongSecret = "wrong-secret-\(UUID().uuidString.prefix(8))"
        try await withServe { bench, serve in
            let task = taskId("ready")

            let wrong = try await serve.callback(callbackBody(taskId: task), secret: wrongSecret)
            #expect(wrong.status == 404, "\(wrong)")
            #expect(!wrong.text.contains(wrongSecret) && !wrong.text.contains(serve.secret))

            let big = Data(#"{"uuid":"u","taskId":"\#(task)","pad":""#.utf8) + Data(repeating: UInt8(ascii: "x"), count: 2 << 20) + Data(#""}"#.utf8)
            let tooLarge = try await serve.callback(big)
            #expect(tooLarge.status == 413, "\(tooLarge)")

            for (body, field) in [("{not json", "JSON"), ("[1,2]", "object"), (#"{"taskId":"\#(task)"}"#, "uuid"),
                                  (#"{"uuid":"u-1"}"#, "taskId"), (#"{"uuid":"u-1","taskId":"\#(task)","result":42}"#, "result"),
                                  (#"{"uuid":"u-1","taskId":"\#(task)","result":"not json"}"#, "result")] {
                let reply = try await serve.callback(Data(body.utf8))
                #expect(reply.status == 400, "\(body): \(reply)")
                let message = try? JSONValue.parse(Array(reply.body))["message"]?.stringValue
                #expect(message?.contains(field) == true, "the reason names \(field): \(reply)")
            }

            let script = try await serve.callback(callbackBody(bizType: "M2V_SCRIPT", taskId: taskId("ready")))
            #expect(script.status == 200 && script.text.contains("\"result\":\"success\""), "acknowledged, not queued: \(script)")

            for unsafe in ["../etc/passwd", ".hidden", "a/b", "ready x", String(repeating: "a", count: 300)] {
                let reply = try await serve.callback(callbackBody(taskId: unsafe))
                #expect(reply.status == 400, "\(unsafe): \(reply)")
            }

            // Nothing above was queued; the good callback still is, and the secrets are not in the log.
            #expect(try await bench.jobs().isEmpty)
            let good = try await serve.callback(callbackBody(taskId: task))
            #expect(good.status == 200, "\(good)")
            try await serve.waitForTask(task)
            #expect(try await bench.jobs().map { $0["taskId"]?.stringValue } == [task])
            let log = serve.process.stderrSoFar
            #expect(log.contains("wrong secret"), "the refusal is logged")
            #expect(!log.contains(wrongSecret), "the wrong secret is in the log")
            #expect(!log.contains(serve.secret), "the secret is in the log")
            let metrics = try await serve.metrics()
            #expect(metrics.value("reel_callbacks_total", ["result": "wrong_secret"]) == 1)
            #expect(metrics.value("reel_callbacks_total", ["result": "too_large"]) == 1)
            #expect(metrics.value("reel_callbacks_total", ["result": "ignored"]) == 1)
        }
    }
}

/// Waits until no job is pending or running (reruns included), up to `timeout`.
func waitForQueueToSettle(_ bench: ReelBench, timeout: Duration = .seconds(180)) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        let jobs = try await bench.jobs()
        if !jobs.contains(where: { ["pending", "running"].contains($0["state"]?.stringValue ?? "") }) { return }
        try await Task.sleep(for: .milliseconds(300))
    }
    Issue.record("jobs still pending or running after \(timeout): \(try await bench.jobs())")
}
