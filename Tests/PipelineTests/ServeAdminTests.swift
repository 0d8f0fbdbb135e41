import Catalog
import Foundation
import Testing
import TopView

/// `reel serve`'s admin listener: metrics, the task API, the catalog's files and the bearer token.
@Suite("reel serve: admin listener")
struct ServeAdminTests {
    @Test func metricsAreValidPrometheusTextAndCountTheWork() async throws {
        try await withServe { bench, serve in
            // Before any work: every family is there already.
            let fresh = try await serve.metrics()
            for state in ["pending", "running", "done", "failed", "cancelled"] {
                #expect(fresh.value("reel_jobs", ["state": state]) != nil, "reel_jobs{state=\(state)}")
            }
            #expect(fresh.types["reel_jobs"] == "gauge" && fresh.types["reel_queue_depth"] == "gauge")
            #expect(fresh.types["reel_callbacks_total"] == "counter" && fresh.types["reel_bytes_downloaded_total"] == "counter")
            #expect(fresh.types["reel_verifications_total"] == "counter" && fresh.types["reel_stage_seconds"] == "histogram")
            // Every family says what it measures, and the README lists it; the build is named.
            let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../README.md").standardizedFileURL, encoding: .utf8)
            for family in fresh.types.keys {
                #expect(fresh.helps[family].map { !$0.isEmpty && !$0.hasPrefix("ReelVault metric") } == true, "# HELP of \(family)")
                #expect(readme.contains("`\(family)"), "the README lists \(family)")
            }
            let build = try #require(fresh.all("reel_build_info").first, "reel_build_info")
            #expect(build.value == 1 && build.labels["version"] == "0.1.0" && build.labels["ffmpeg"]?.isEmpty == false, "\(build)")

            let ready = taskId("ready"), missing = taskId("notfound")
            for task in [ready, missing] {
                let reply = try await serve.callback(callbackBody(taskId: task))
                #expect(reply.status == 200, "\(reply)")
            }
            try await serve.waitForTask(ready)
            try await waitForQueueToSettle(bench)
            // The queue gauges are refreshed every few seconds.
            let deadline = ContinuousClock.now + .seconds(60)
            var metrics = try await serve.metrics()
            while (metrics.value("reel_jobs", ["state": "done"]) ?? 0) < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
                metrics = try await serve.metrics()
            }
            #expect(metrics.value("reel_jobs", ["state": "done"]) == 2)
            #expect(metrics.value("reel_queue_depth") == 0)
            #expect(metrics.value("reel_callbacks_total", ["result": "queued"]) == 2)
            #expect(metrics.value("reel_verifications_total", ["verdict": "match"]) == 2)
            let (_, manifest) = try await bench.show(ready)
            let bytes = manifest.assets.reduce(Int64(0)) { $0 + ($1.source?.bytes ?? 0) + ($1.cover?.bytes ?? 0) }
            #expect(metrics.value("reel_bytes_downloaded_total") == Double(bytes))
            for stage in ["query", "download", "process", "commit"] {
                #expect((metrics.value("reel_stage_seconds_count", ["stage": stage]) ?? 0) >= 1, "stage \(stage)")
            }
            #expect(metrics.value("reel_upstream_errors_total", ["code": "4004"]) == 1, "\(metrics.all("reel_upstream_errors_total"))")
        }
    }

    @Test func theTaskAPIPagesFromTheIndex() async throws {
        try await withServe { bench, serve in
            let tasks = [taskId("ready"), taskId("ready"), taskId("ready")]
            for task in tasks { _ = try await serve.callback(callbackBody(taskId: task)) }
            for task in tasks { try await serve.waitForTask(task) }
            let all = try JSONValue.parse(Array(try await serve.admin("GET", "/api/tasks").body))
            #expect(Set(all["tasks"]?.arrayValue?.compactMap { $0["taskId"]?.stringValue } ?? []) == Set(tasks))
            let first = try JSONValue.parse(Array(try await serve.admin("GET", "/api/tasks?limit=2").body))
            #expect(first["tasks"]?.arrayValue?.count == 2 && first["nextOffset"]?.lenientString == "2", "\(first)")
            let second = try JSONValue.parse(Array(try await serve.admin("GET", "/api/tasks?limit=2&offset=2").body))
            #expect(second["tasks"]?.arrayValue?.count == 1 && (second["nextOffset"] ?? .null) == .null, "\(second)")
            #expect(try await serve.admin("GET", "/api/tasks/\(taskId("ready"))").status == 404)
            for target in ["/api/tasks/..%2Fetc%2Fpasswd", "/api/tasks/.hidden", "/api/tasks/%2e%2e"] {
                let reply = try await serve.admin("GET", target)
                #expect([400, 404].contains(reply.status), "\(target): \(reply)")
            }
            let page = try await serve.admin("GET", "/")
            #expect(page.status == 200 && page.header("Content-Type")?.hasPrefix("text/html") == true)
            for task in tasks { #expect(page.text.contains(task)) }
            #expect(page.text.contains("3 tasks") && page.text.contains("poster.jpg\" width="))
            let one = try await serve.admin("GET", "/tasks/\(tasks[0])")
            #expect(one.status == 200 && one.text.contains("<video") && one.text.contains("poster.jpg") && one.text.contains("240p"))
        }
    }

    @Test func theFileRoutesServeCatalogFilesAndNothingElse() async throws {
        try await withServe { bench, serve in
            let task = taskId("ready")
            _ = try await serve.callback(callbackBody(taskId: task))
            try await serve.waitForTask(task)
            let (_, manifest) = try await bench.show(task)
            let source = try #require(manifest.assets.first?.source)
            let taskDirectory = (source.path as NSString).deletingLastPathComponent.components(separatedBy: "/").prefix(3).joined(separator: "/")
            let onDisk = try Data(contentsOf: bench.file(source.path))

            let whole = try await serve.admin("GET", "/files/\(source.path)")
            #expect(whole.status == 200 && whole.body == onDisk, "\(whole.status) \(whole.body.count) bytes")
            #expect(whole.header("Content-Type") == "video/mp4")
            let range = try await serve.admin("GET", "/files/\(source.path)", headers: [("Range", "bytes=100-199")])
            #expect(range.status == 206, "\(range)")
            #expect(range.body == onDisk[100..<200])
            #expect(range.header("Content-Range") == "bytes 100-199/\(onDisk.count)", "\(range)")
            let head = try await serve.admin("HEAD", "/files/\(source.path)")
            #expect(head.status == 200 && head.header("Content-Length") == "\(onDisk.count)", "\(head)")

            // The path is normalised once before routing: `.` and empty segments name the same recorded file.
            for target in ["/files/\((source.path as NSString).deletingLastPathComponent)/./\((source.path as NSString).lastPathComponent)",
                           "/files/\((source.path as NSString).deletingLastPathComponent)//\((source.path as NSString).lastPathComponent)"] {
                let same = try await serve.admin("GET", target)
                #expect(same.status == 200 && same.body == onDisk, "GET \(target): \(same.status)")
            }

            // Ways out of the catalog, and things inside it that are not for serving.
            try FileManager.default.createSymbolicLink(atPath: bench.file("\(taskDirectory)/leak.txt").path, withDestinationPath: "/etc/passwd")
            try FileManager.default.createSymbolicLink(atPath: bench.file("\(taskDirectory)/etc").path, withDestinationPath: "/etc")
            try FileManager.default.createDirectory(at: bench.file("\(taskDirectory)/.staging/x"), withIntermediateDirectories: true)
            try Data("half".utf8).write(to: bench.file("\(taskDirectory)/.staging/x/source.mp4"))
            let sourceName = (source.path as NSString).lastPathComponent
            let inside = (source.path as NSString).deletingLastPathComponent
            for target in [
                "/files/../etc/passwd", "/files/tasks/../../etc/passwd", "/files/\(inside)/../../../../../etc/passwd",
                "/files/%2e%2e/%2e%2e/etc/passwd", "/files/tasks/%2E%2E/%2E%2E/etc/passwd", "/files/tasks%2f..%2f..%2fetc%2fpasswd",
                "/files/%2fetc%2fpasswd", "/files//etc/passwd", "/files/%252e%252e/etc/passwd", "/files/tasks/..%5c..%5cetc%5cpasswd",
                "/files/\(inside)/%2e%2e/\(sourceName)",
                "/files/\(taskDirectory)/.lock", "/files/\(taskDirectory)/.staging/x/source.mp4", "/files/\(taskDirectory)/%2estaging/x/source.mp4",
                "/files/index.sqlite", "/files/.index.lock", "/files/queue/done/m2v-\(task).json", "/files/watch.json",
                "/files/\(taskDirectory)/leak.txt", "/files/\(taskDirectory)/etc/passwd", "/files/\(taskDirectory)/etc/hostname",
                "/files/\(inside)", "/files/\(inside)/", "/files/tasks", "/files/", "/files", "/files/\(source.path)%00",
                "/files/" + bench.file(source.path).path,
            ] {
                let reply = try await serve.admin("GET", target)
                #expect(reply.status == 404, "GET \(target): \(reply)")
                #expect(!reply.text.contains("root:"), "GET \(target) leaked /etc/passwd")
            }
        }
    }

    @Test func theAdminTokenGuardsEverythingButHealth() async throws {
        let token = "admin-token-\(UUID().uuidString)"
        try await withServe(environment: ["REEL_ADMIN_TOKEN": token]) { bench, serve in
            let task = taskId("ready")
            let callback = try await serve.callback(callbackBody(taskId: task))
            #expect(callback.status == 200, "callbacks do not need the admin token: \(callback)")
            let auth = [("Authorization", "Bearer \(token)")]
            try await serve.waitForTask(task, headers: auth)
            #expect(try await serve.admin("GET", "/healthz").status == 200)
            for target in ["/api/tasks", "/api/tasks/\(task)", "/metrics", "/", "/files/index.sqlite"] {
                for headers in [[], [("Authorization", "Bearer wrong")], [("Authorization", token)], [("Authorization", "Basic \(token)")]] {
                    let reply = try await serve.admin("GET", target, headers: headers)
                    #expect(reply.status == 401, "\(target) with \(headers): \(reply)")
                    #expect(reply.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(reply)")
                }
            }
            let list = try await serve.admin("GET", "/api/tasks", headers: auth)
            #expect(list.status == 200, "\(list)")
            #expect(try await serve.admin("GET", "/metrics", headers: auth).status == 200)
            #expect(try await serve.admin("GET", "/", headers: auth).status == 200)
            let (_, manifest) = try await bench.show(task)
            let source = try #require(manifest.assets.first?.source)
            #expect(try await serve.admin("GET", "/files/\(source.path)").status == 401)
            #expect(try await serve.admin("GET", "/files/\(source.path)", headers: auth).status == 200)
        }
    }
}
