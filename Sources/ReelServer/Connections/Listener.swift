import Hummingbird
import Logging
import NIOCore

/// One HTTP listener of `reel serve`: a responder behind the connection guard (``GuardedHTTP1Channel``) on
/// `host:port`, its connections counted in `registry`.
enum Listener {
    static func application<Responder: HTTPResponder>(
        _ responder: Responder, host: String, port: Int, name: String, limits: HTTPLimits, registry: ConnectionRegistry,
        logger: Logger, onRunning: @escaping @Sendable (Int) -> Void
    ) -> Application<Responder> where Responder.Context == BasicRequestContext {
        Application(
            responder: responder,
            server: GuardedHTTP1Channel.builder(limits: limits, registry: registry),
            configuration: .init(address: .hostname(host, port: port), serverName: name),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
