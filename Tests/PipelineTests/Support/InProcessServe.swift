import Catalog
import Foundation
import Hummingbird
import Logging
import Pipeline
import Prometheus
@testable import ReelServer
import ServiceLifecycle
import Synchronization

/// Hummingbird reports closed test connections at `error`: only critical lines reach the test log.
let quietLogger: Logger = {
    var logger = Logger(label: "test.serve")
    logger.logLevel = .critical
    return logger
}()

/// Both `reel serve` listeners run in this process on ephemeral loopback ports, over a catalog root of the test's:
/// the same responders, connection guard and limits as the service, without a worker pool (no media work), so
/// HTTP behaviour is tested fast and with short timeouts. Requests go over real sockets (``LoopbackHTTP``).
struct InProcessServe: Sendable {
    let callbackPort: Int
    let adminPort: Int
    let secret: String
    let queue: FileJobQueue

    static let secret = "inprocess-secret-0123"

    /// Runs `body` while both listeners run; stops them afterwards.
    static func with<T: Sendable>(
        root: URL, limits: HTTPLimits = .init(), adminToken: String? = nil, logger: Logger = quietLogger,
        _ body: @Sendable (InProcessServe) async throws -> T
    ) async throws -> T {
        let catalog = try Catalog(root: root)
        let queue = FileJobQueue(root: root)
        let configuration = ServerConfiguration(callbackPort: 0, callbackSecret: secret, adminPort: 0, adminToken: adminToken,
                                                limits: limits)
        let ports = PortsBox()
        let callbacks = Listener.application(
            CallbackRoutes(configuration: configuration, queue: queue, wake: WakeSignal(), logger: logger).responder(),
            host: "127.0.0.1", port: 0, name: "test-callbacks", limits: limits,
            registry: ConnectionRegistry(name: "callback", cap: limits.callbackMaxConnections, evictsIdle: true),
            logger: logger, onRunning: { port in ports.set(callback: port) })
        let admin = Listener.application(
            AdminRoutes(configuration: configuration, catalog: catalog, queue: queue, registry: PrometheusCollectorRegistry(),
                        logger: logger).responder(),
            host: "127.0.0.1", port: 0, name: "test-admin", limits: limits,
            registry: ConnectionRegistry(name: "admin", cap: limits.adminMaxConnections, evictsIdle: false),
            logger: logger, onRunning: { port in ports.set(admin: port) })
        let services = ServiceGroup(configuration: .init(services: [.init(service: callbacks), .init(service: admin)],
                                                         gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            let result: Result<T, any Error>
            do {
                let bound = try await ports.wait()
                result = .success(try await body(InProcessServe(callbackPort: bound.callback, adminPort: bound.admin,
                                                                secret: secret, queue: queue)))
            } catch {
                result = .failure(error)
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    /// How long a request waits for its answer: these tests check what the service answers, not how fast (benchmarks
    /// do), and the service shares this test process's threads with every other test of the run, which on a loaded
    /// 2-core machine once held a small file's answer for over 30 s.
    static let answerTimeout: TimeInterval = 120

    func admin(_ target: String, method: String = "GET", headers: [(String, String)] = []) async throws -> HTTPReply {
        try await LoopbackHTTP.send(port: adminPort, method: method, target: target, headers: headers, timeout: Self.answerTimeout)
    }

    func callback(_ body: Data) async throws -> HTTPReply {
        try await LoopbackHTTP.send(port: callbackPort, method: "POST", target: "/callbacks/topview/\(secret)",
                                    headers: [("Content-Type", "application/json")], body: body, timeout: Self.answerTimeout)
    }
}

/// The two ports, once both listeners report them.
final class PortsBox: Sendable {
    private let state = Mutex<(callback: Int?, admin: Int?)>((nil, nil))

    func set(callback port: Int) { state.withLock { $0.callback = port } }
    func set(admin port: Int) { state.withLock { $0.admin = port } }

    func wait() async throws -> (callback: Int, admin: Int) {
        for _ in 0..<3000 {
            if case let (c?, a?) = state.withLock({ $0 }) { return (c, a) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw LoopbackHTTPError(description: "the in-process listeners did not start within 30 s")
    }
}
