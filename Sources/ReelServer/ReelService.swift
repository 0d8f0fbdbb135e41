import AsyncHTTPClient
import Catalog
import Foundation
import Hummingbird
import Logging
import Metrics
import Pipeline
import Prometheus
import ServiceLifecycle
import TopView

/// `reel serve`: two listeners (callbacks; admin), the feeder and the worker pool, run as one service group with
/// graceful shutdown on SIGTERM/SIGINT. ``ServerConfiguration/roles`` says which parts run: every process serves
/// `/healthz` and `/metrics`, beats its heartbeat and runs the shared state's services; the feeder polls upstream only
/// while this process holds the deployment's feeder lease.
public struct ReelService: Sendable {
    public let configuration: ServerConfiguration
    public let catalog: Catalog
    public let state: SharedState
    public let archiver: Archiver
    public let httpClient: HTTPClient
    public let registry: PrometheusCollectorRegistry
    public let logger: Logger

    public init(configuration: ServerConfiguration, catalog: Catalog, state: SharedState, archiver: Archiver,
                httpClient: HTTPClient, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.configuration = configuration
        self.catalog = catalog
        self.state = state
        self.archiver = archiver
        self.httpClient = httpClient
        self.registry = registry
        self.logger = logger
    }

    public var queue: any JobQueue { state.queue }

    /// How long a graceful stop may take before the service group cancels what still runs.
    public static let maximumGracefulShutdown: Duration = .seconds(20)

    /// The name of the feeder's leader lease.
    public static let feederLease = "feeder"

    /// Runs until SIGTERM/SIGINT (or cancellation). `onListening` gets the callback and admin ports once bound (the
    /// callback port is 0 without the callbacks role).
    public func run(onListening: (@Sendable (_ callbackPort: Int, _ adminPort: Int) -> Void)? = nil) async throws {
        let roles = configuration.roles
        let wake = WakeSignal()
        let ports = PortReport(onListening)
        let metrics = ReelMetrics() // after MetricsSystem.bootstrap: every family exists from the first scrape
        metrics.recordBuild(version: configuration.build.version, ffmpeg: configuration.build.ffmpeg)
        let fitted = DescriptorBudget.fit(configuration.limits)
        if let warning = fitted.warning { logger.warning("\(warning)") }
        let limits = fitted.limits
        var services: [any Service] = []
        if roles.contains(.callbacks) {
            let callbackConnections = ConnectionRegistry(name: "callback", cap: limits.callbackMaxConnections, evictsIdle: true)
            services.append(Listener.application(
                CallbackRoutes(configuration: configuration, queue: queue, wake: wake, logger: logger, watch: state.watch, metrics: metrics).responder(),
                host: configuration.callbackHost, port: configuration.callbackPort, name: "reelvault-callbacks", limits: limits,
                registry: callbackConnections, logger: logger, onRunning: ports.callback))
        } else {
            ports.callback(0)
        }
        let adminConnections = ConnectionRegistry(name: "admin", cap: limits.adminMaxConnections, evictsIdle: false)
        services.append(Listener.application(
            AdminRoutes(configuration: configuration, catalog: catalog, queue: queue, registry: registry, logger: logger).responder(),
            host: configuration.adminHost, port: configuration.adminPort, name: "reelvault-admin", limits: limits,
            registry: adminConnections, logger: logger, onRunning: ports.admin))
        if roles.contains(.feeder) {
            let leadership = Leadership(lease: state.leader, name: Self.feederLease, holder: state.owner,
                                        duration: state.leaderLease, logger: logger)
            services.append(leadership)
            services.append(Feeder(client: archiver.context.client, watch: state.watch, queue: queue, settings: configuration.service,
                                   wake: wake, leadership: leadership, metrics: metrics, logger: logger))
        }
        if roles.contains(.workers) {
            let notifier = Notifier(httpClient: httpClient, settings: configuration.service, logger: logger)
            services.append(WorkerPool(queue: queue, watch: state.watch, archiver: archiver, notifier: notifier,
                                       settings: configuration.service, wake: wake, owner: state.owner, metrics: metrics, logger: logger))
            if let wakeups = queue as? any JobWakeups { services.append(WakeupForwarder(source: wakeups, wake: wake, logger: logger)) }
        }
        services.append(Heartbeat(registry: state.workers, owner: state.owner, roles: roles, queue: queue, logger: logger))
        services += state.services
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // A graceful stop cancels running archives at their next frame or chunk; past this bound the group cancels
        // whatever still runs, so a stop never hangs.
        groupConfiguration.maximumGracefulShutdownDuration = Self.maximumGracefulShutdown
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
    }
}

/// Collects both listeners' ports and reports them once.
final class PortReport: Sendable {
    private let state = Mutex<(Int?, Int?, Bool)>((nil, nil, false))
    private let callbackFn: (@Sendable (Int, Int) -> Void)?

    init(_ fn: (@Sendable (Int, Int) -> Void)?) { callbackFn = fn }

    func callback(_ port: Int) { update { $0.0 = port } }
    func admin(_ port: Int) { update { $0.1 = port } }

    private func update(_ change: (inout (Int?, Int?, Bool)) -> Void) {
        let ready: (Int, Int)? = state.withLock { s in
            change(&s)
            guard let c = s.0, let a = s.1, !s.2 else { return nil }
            s.2 = true
            return (c, a)
        }
        if let ready { callbackFn?(ready.0, ready.1) }
    }
}

import Synchronization
