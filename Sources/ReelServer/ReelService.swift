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
/// graceful shutdown on SIGTERM/SIGINT.
public struct ReelService: Sendable {
    public let configuration: ServerConfiguration
    public let catalog: Catalog
    public let queue: any JobQueue
    public let watch: WatchList
    public let archiver: Archiver
    public let httpClient: HTTPClient
    public let registry: PrometheusCollectorRegistry
    public let logger: Logger
    /// Run beside the listeners, the feeder and the workers (e.g. a shared queue's lease renewal).
    public let additionalServices: [any Service]

    public init(configuration: ServerConfiguration, catalog: Catalog, queue: any JobQueue, watch: WatchList, archiver: Archiver,
                httpClient: HTTPClient, registry: PrometheusCollectorRegistry, logger: Logger,
                additionalServices: [any Service] = []) {
        self.configuration = configuration
        self.catalog = catalog
        self.queue = queue
        self.watch = watch
        self.archiver = archiver
        self.httpClient = httpClient
        self.registry = registry
        self.logger = logger
        self.additionalServices = additionalServices
    }

    /// How long a graceful stop may take before the service group cancels what still runs.
    public static let maximumGracefulShutdown: Duration = .seconds(20)

    /// Runs until SIGTERM/SIGINT (or cancellation). `onListening` gets the callback and admin ports once bound.
    public func run(onListening: (@Sendable (_ callbackPort: Int, _ adminPort: Int) -> Void)? = nil) async throws {
        let wake = WakeSignal()
        let ports = PortReport(onListening)
        let metrics = ReelMetrics() // after MetricsSystem.bootstrap: every family exists from the first scrape
        let fitted = DescriptorBudget.fit(configuration.limits)
        if let warning = fitted.warning { logger.warning("\(warning)") }
        let limits = fitted.limits
        let callbackConnections = ConnectionRegistry(name: "callback", cap: limits.callbackMaxConnections, evictsIdle: true)
        let adminConnections = ConnectionRegistry(name: "admin", cap: limits.adminMaxConnections, evictsIdle: false)
        let callbacks = Listener.application(
            CallbackRoutes(configuration: configuration, queue: queue, wake: wake, logger: logger, metrics: metrics).responder(),
            host: configuration.callbackHost, port: configuration.callbackPort, name: "reelvault-callbacks", limits: limits,
            registry: callbackConnections, logger: logger, onRunning: ports.callback)
        let admin = Listener.application(
            AdminRoutes(configuration: configuration, catalog: catalog, queue: queue, registry: registry, logger: logger).responder(),
            host: configuration.adminHost, port: configuration.adminPort, name: "reelvault-admin", limits: limits,
            registry: adminConnections, logger: logger, onRunning: ports.admin)
        let owner = "\(ProcessInfo.processInfo.hostName):\(getpid())"
        let notifier = Notifier(httpClient: httpClient, settings: configuration.service, logger: logger)
        let workers = WorkerPool(queue: queue, watch: watch, archiver: archiver, notifier: notifier, settings: configuration.service,
                                 wake: wake, owner: owner, metrics: metrics, logger: logger)
        let feeder = Feeder(client: archiver.context.client, watch: watch, queue: queue, settings: configuration.service, wake: wake,
                            metrics: metrics, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: callbacks),
                .init(service: admin),
                .init(service: feeder),
                .init(service: workers),
            ] + additionalServices.map { .init(service: $0) },
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
