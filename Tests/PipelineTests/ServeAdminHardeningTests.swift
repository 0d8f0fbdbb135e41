import Foundation
import Logging
import Synchronization
import Testing

/// The admin and callback listeners' answers to bad input, over real HTTP on loopback: validated `/api/tasks`
/// parameters, an honest `/healthz`, the bearer scheme in any case, and untrusted callback text that cannot forge
/// or flood log lines.
@Suite struct ServeAdminHardeningTests {
    @Test func invalidTaskListParametersAre400NamingTheParameter() async throws {
        let fixture = try await ServedCatalogFixture.make()
        defer { fixture.remove() }
        try await InProcessServe.with(root: fixture.root) { serve in
            for (query, parameter, allowed) in [
                ("script=abc", "script", "decimal integer"), ("script=-1", "script", "decimal integer"),
                ("script=0x10", "script", "decimal integer"), ("script=99999999999999999999", "script", "decimal integer"),
                ("verdict=bogus", "verdict", "match, mismatch, unreported, undecodable"),
                ("state=done", "state", "pending, archived, failed, absent"),
                ("limit=0", "limit", "from 1 to 1000"), ("limit=1001", "limit", "from 1 to 1000"), ("offset=-5", "offset", "decimal integer"),
            ] {
                let reply = try await serve.admin("/api/tasks?\(query)")
                #expect(reply.status == 400, "\(query): \(reply)")
                #expect(reply.text.contains(parameter) && reply.text.contains(allowed), "\(query): \(reply.text)")
            }
            // Valid values filter; unknown parameters are ignored.
            let all = try await serve.admin("/api/tasks?unknown=1&limit=5")
            #expect(all.status == 200 && all.text.contains(fixture.taskId), "\(all)")
            let none = try await serve.admin("/api/tasks?verdict=mismatch")
            #expect(none.status == 200 && !none.text.contains(fixture.taskId), "\(none)")
            let script = try await serve.admin("/api/tasks?script=1&state=archived")
            #expect(script.status == 200 && script.text.contains(fixture.taskId), "\(script)")
        }
    }

    @Test func healthzIs503WhenTheStorageRootIsGone() async throws {
        let fixture = try await ServedCatalogFixture.make()
        defer { fixture.remove() }
        let moved = fixture.root.deletingLastPathComponent().appendingPathComponent("moved-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: moved) }
        try await InProcessServe.with(root: fixture.root) { serve in
            #expect(try await serve.admin("/healthz").status == 200)
            try FileManager.default.moveItem(at: fixture.root, to: moved)
            try await Task.sleep(for: .milliseconds(1100)) // past the one-second cache
            let reply = try await serve.admin("/healthz")
            #expect(reply.status == 503, "\(reply)")
            #expect(reply.text.contains("storage root"), "\(reply.text)")
            #expect(!reply.text.contains("/"), "an absolute path in an unauthenticated answer: \(reply.text)")
            try FileManager.default.moveItem(at: moved, to: fixture.root)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await serve.admin("/healthz").status == 200)
        }
    }

    @Test func theBearerSchemeIsCaseInsensitive() async throws {
        let fixture = try await ServedCatalogFixture.make()
        defer { fixture.remove() }
        try await InProcessServe.with(root: fixture.root, adminToken: "admin-token-123") { serve in
            #expect(try await serve.admin("/api/tasks").status == 401)
            #expect(try await serve.admin("/api/tasks", headers: [("Authorization", "Bearer wrong")]).status == 401)
            #expect(try await serve.admin("/api/tasks", headers: [("Authorization", "Basic admin-token-123")]).status == 401)
            for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
                let reply = try await serve.admin("/api/tasks", headers: [("Authorization", "\(scheme) admin-token-123")])
                #expect(reply.status == 200, "\(scheme): \(reply)")
            }
            // The token also guards files, however the path is written; /healthz needs none.
            #expect(try await serve.admin("/%66iles/\(fixture.sourcePath)").status == 401)
            #expect(try await serve.admin("/healthz").status == 200)
        }
    }

    @Test func untrustedCallbackTextIsEscapedAndCutInLogs() async throws {
        let fixture = try await ServedCatalogFixture.make()
        defer { fixture.remove() }
        let lines = CollectedLog()
        var logger = Logger(label: "test.serve.log") { _ in CollectingLogHandler(log: lines) }
        logger.logLevel = .info
        try await InProcessServe.with(root: fixture.root, logger: logger) { serve in
            let forged = "task-1\n2026-11-30T00:00:00+0000 critical reelvault.serve: forged line"
            let huge = String(repeating: "x", count: 10_000) + "\u{0}\u{1b}[31m"
            for (taskId, biz) in [(forged, "M2V_EXPORT"), (huge, "M2V_EXPORT"), ("ok-task-1", "EVIL\nBIZ\u{1b}]0;title\u{7}")] {
                let body = try JSONSerialization.data(withJSONObject: ["uuid": "u-\(taskId.prefix(3))\n", "taskId": taskId, "bizType": biz, "status": "success"])
                let reply = try await serve.callback(body)
                // An unsafe task id is refused; an unknown bizType is acknowledged (the vendor stops retrying) and ignored.
                #expect(reply.status == (taskId == "ok-task-1" ? 200 : 400), "\(reply)")
            }
        }
        let logged = lines.all
        #expect(!logged.isEmpty)
        for line in logged {
            #expect(!line.contains("\n") && !line.contains("\u{1b}") && !line.contains("\u{0}") && !line.contains("\u{7}"), "raw control character logged: \(line.debugDescription)")
            #expect(line.count < 2000, "an untrusted value was logged uncut (\(line.count) characters)")
        }
        #expect(logged.contains { $0.contains("task-1\\n2026") }, "the forged id is logged escaped: \(logged)")
    }
}

/// Log lines (message + metadata) collected in memory.
final class CollectedLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

struct CollectingLogHandler: LogHandler {
    let log: CollectedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String,
             function: String, line: UInt) {
        let all = metadata.merging(extra ?? [:]) { _, new in new }
        log.append("\(level) \(message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}
