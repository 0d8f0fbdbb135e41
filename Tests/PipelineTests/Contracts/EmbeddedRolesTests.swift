import Foundation
import Testing
import TopView

/// `--roles` on the embedded backend: processes on one machine share one storage root (queue, watch list, heartbeats,
/// feeder lease and task locks as files).
@Suite("Roles on the embedded backend")
struct EmbeddedRolesTests {
    @Test func anEdgeAndAWorkerShareOneStorageRoot() async throws {
        try await withBench { bench in
            let nodes = ClusterNodes()
            do {
                let edge = try await nodes.start(bench, nil, roles: "callbacks,admin,feeder")
                let worker = try await nodes.start(bench, nil, roles: "workers")
                #expect(worker.callbackPort == 0, "no callback listener without the role")
                #expect(try await worker.admin("/healthz").status == 200)
                #expect(try await worker.admin("/metrics").status == 200)
                #expect(try await worker.admin("/api/tasks").status == 404, "the API needs the admin role")
                #expect(try await worker.admin("/").status == 404)

                let task = taskId("ready")
                #expect(try await edge.callback(callbackBody(taskId: task)).status == 200)
                var archived = false
                for _ in 0..<600 where !archived {
                    let reply = try await edge.admin("/api/tasks/\(task)")
                    if reply.status == 200, let document = try? JSONValue.parse(Array(reply.body)) {
                        archived = ServeProcess.previewAndExportArchived(document)
                    }
                    if !archived { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(archived, "archived by the worker process: \(worker.process.stderrSoFar.suffix(2000))")
                #expect(worker.process.stderrSoFar.contains("job started"), "the worker ran the job")
                #expect(!edge.process.stderrSoFar.contains("job started"), "the edge has no workers")

                let workers = try await bench.reel("workers", "ls", "--json")
                let listed = try JSONValue.parse(Array(workers.stdout.utf8)).arrayValue ?? []
                let roles = Set(listed.compactMap { $0["roles"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") })
                #expect(roles == ["callbacks,admin,feeder", "workers"], "\(workers)")
                for node in [edge, worker] {
                    let stopped = try await node.stop()
                    #expect(stopped.status == 0, "\(stopped)")
                }
            } catch {
                for node in nodes.all { _ = try? await node.stop(SIGKILL, timeout: .seconds(10)) }
                throw error
            }
        }
    }
}
