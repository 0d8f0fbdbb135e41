import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MetricsTestKit
import Pipeline
import ReelTestSupport
import Synchronization
@testable import ReelServer
import Testing
import TopView

/// The callback listener's routes in process (`app.test(.router)`), over a real in-memory job queue: what is
/// acknowledged, what is refused and why, what is queued and counted, what reaches the log. The same responder as
/// `reel serve`'s; the connection guard and real sockets are ``ServeConnectionLimitTests``' and the binary tests'.
@Suite struct CallbackRouteTests {
    static let secret = "route-secret-0123456789"

    struct Bench {
        let queue: MemoryJobQueue
        let wake: WakeSignal
        let clock: TestClock
        let metrics: TestMetrics
        let log: CollectedLog

        func counted(_ result: String) throws -> Int64 {
            try metrics.expectCounter("reel_callbacks_total", [("result", result)]).totalValue
        }

        /// True when a wake-up is waiting for the next idle worker (a wait that returns without the clock moving).
        func wasWoken() async -> Bool {
            let before = clock.sleepsStarted
            let ended = Tally()
            let task = Task { await wake.wait(timeout: .seconds(3600)); ended.add() }
            // Either the wait returns at once (a permit) or it starts its timeout's sleep on the clock.
            try? await clock.waitUntil("the wait to end or to sleep") { $0.sleepsStarted > before || ended.value > 0 }
            let woken = clock.sleepsStarted == before
            clock.advance(by: .seconds(3600))
            await task.value
            return woken
        }
    }

    static func withRoutes(_ body: @Sendable (Bench, any TestClientProtocol) async throws -> Void) async throws {
        let log = CollectedLog()
        var logger = Logger(label: "test.callbacks") { _ in CollectingLogHandler(log: log) }
        logger.logLevel = .info
        let clock = TestClock()
        let bench = Bench(queue: MemoryJobQueue(), wake: WakeSignal(clock: clock), clock: clock, metrics: TestMetrics(), log: log)
        let configuration = ServerConfiguration(callbackPort: 0, callbackSecret: secret, adminPort: 0)
        let routes = CallbackRoutes(configuration: configuration, queue: bench.queue, wake: bench.wake, logger: logger,
                                    metrics: ReelMetrics(factory: bench.metrics))
        let app = Application(responder: routes.responder(), logger: quietLogger)
        try await app.test(.router) { client in try await body(bench, client) }
    }

    static func post(_ client: some TestClientProtocol, _ body: Data, secret: String = secret) async throws -> TestResponse {
        try await client.execute(uri: "/callbacks/topview/\(secret)", method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(bytes: body))
    }

    @Test func aGoodCallbackIsAcknowledgedQueuedAndWakesAWorker() async throws {
        try await Self.withRoutes { bench, client in
            for asString in [false, true] {
                let task = "route-ready-\(asString)"
                let uuid = "cb-\(UUID().uuidString)"
                let response = try await Self.post(client, callbackBody(uuid: uuid, taskId: task, resultAsString: asString))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let ack = try JSONValue.parse(Array(buffer: response.body))
                #expect(ack["code"]?.stringValue == "200" && ack["result"]?["uuid"]?.stringValue == uuid, "\(ack)")
                let woken = await bench.wasWoken()
                #expect(woken, "a new job wakes one idle worker")
            }
            let jobs = try await bench.queue.list(state: nil)
            #expect(Set(jobs.map(\.taskId)) == ["route-ready-false", "route-ready-true"])
            #expect(jobs.allSatisfy { $0.reason == "callback" && $0.state == .pending }, "\(jobs)")
            let queued = try bench.counted("queued")
            #expect(queued == 2)
        }
    }

    @Test func duplicatesMakeOneJob() async throws {
        try await Self.withRoutes { bench, client in
            for _ in 0..<20 {
                let status = try await Self.post(client, callbackBody(taskId: "route-dup-1")).status
                #expect(status == .ok)
            }
            let jobs = try await bench.queue.list(state: nil)
            #expect(jobs.count == 1)
            let (queued, duplicates) = (try bench.counted("queued"), try bench.counted("duplicate"))
            #expect(queued == 1 && duplicates == 19, "queued \(queued), duplicates \(duplicates)")
        }
    }

    @Test func badCallbacksAreRefusedNamingTheProblemAndQueueNothing() async throws {
        try await Self.withRoutes { bench, client in
            let wrongSecret = "wrong-secret-\(UUID().uuidString.prefix(8))"
            let wrong = try await Self.post(client, callbackBody(taskId: "route-1"), secret: wrongSecret)
            #expect(wrong.status == .notFound)
            let wrongText = String(buffer: wrong.body)
            #expect(!wrongText.contains(wrongSecret) && !wrongText.contains(Self.secret))

            let big = Data(#"{"uuid":"u","taskId":"route-1","pad":""#.utf8) + Data(repeating: UInt8(ascii: "x"), count: 2 << 20) + Data(#""}"#.utf8)
            #expect(try await Self.post(client, big).status == .contentTooLarge)

            for (body, field) in [("{not json", "JSON"), ("[1,2]", "object"), (#"{"taskId":"route-1"}"#, "uuid"),
                                  (#"{"uuid":"u-1"}"#, "taskId"), (#"{"uuid":"u-1","taskId":"route-1","result":42}"#, "result"),
                                  (#"{"uuid":"u-1","taskId":"route-1","result":"not json"}"#, "result")] {
                let response = try await Self.post(client, Data(body.utf8))
                #expect(response.status == .badRequest, "\(body)")
                let message = try? JSONValue.parse(Array(buffer: response.body))["message"]?.stringValue
                #expect(message?.contains(field) == true, "the reason names \(field): \(String(buffer: response.body))")
            }

            // A bizType that names no media kind is acknowledged as documented (the vendor stops retrying) and queues
            // nothing.
            for bizType in ["M2V_SCRIPT", "SCRAPER", "SOMETHING_NEW\u{1B}[31m"] {
                let ignored = try await Self.post(client, callbackBody(bizType: bizType, taskId: "route-1"))
                #expect(ignored.status == .ok && String(buffer: ignored.body).contains("\"result\":\"success\""), "\(bizType)")
            }

            for unsafe in ["../etc/passwd", ".hidden", "a/b", "ready x", String(repeating: "a", count: 300)] {
                #expect(try await Self.post(client, callbackBody(taskId: unsafe)).status == .badRequest, "\(unsafe)")
            }

            let jobs = try await bench.queue.list(state: nil)
            #expect(jobs.isEmpty)
            let woken = await bench.wasWoken()
            #expect(!woken, "a refused callback wakes nobody")
            let counts = try ["wrong_secret", "too_large", "ignored", "queued"].map { try bench.counted($0) }
            #expect(counts == [1, 1, 3, 0], "wrong_secret, too_large, ignored, queued")
            #expect(!bench.log.all.contains { $0.contains("\u{1B}") }, "an untrusted bizType is escaped in the log")
            let log = bench.log.all
            #expect(log.contains { $0.contains("wrong secret") }, "the refusal is logged: \(log)")
            #expect(!log.contains { $0.contains(wrongSecret) || $0.contains(Self.secret) }, "a secret is in the log")
        }
    }

    @Test func theListenerServesNothingElse() async throws {
        try await Self.withRoutes { bench, client in
            for target in ["/healthz", "/metrics", "/api/tasks", "/api/tasks/ready-1", "/files/index.sqlite", "/files/tasks/x", "/",
                           "/callbacks/topview", "/callbacks/topview/", "/callbacks/other/\(Self.secret)"] {
                #expect(try await client.execute(uri: target, method: .get).status == .notFound, "GET \(target)")
            }
            for method in [HTTPRequest.Method.get, .put, .delete, .head] {
                let status = try await client.execute(uri: "/callbacks/topview/\(Self.secret)", method: method).status
                #expect([.notFound, .methodNotAllowed].contains(status), "\(method) on the callback path: \(status)")
            }
            let jobs = try await bench.queue.list(state: nil)
            #expect(jobs.isEmpty)
        }
    }
}
