import Foundation
import Logging
import ReelBasics
import ServiceLifecycle

/// Keeps this process's ``WorkerRecord`` fresh in the deployment's ``WorkerRegistry`` (every ``interval``, with the
/// jobs it holds), and removes it on a graceful stop. `reel workers ls` reads what it leaves.
public struct Heartbeat: Service, CustomStringConvertible {
    /// Between two beats.
    public static let interval: Duration = .seconds(5)
    /// A process silent this long is shown as stale.
    public static let staleAfter: Duration = .seconds(15)
    /// A process silent this long is forgotten.
    public static let forgetAfter: Duration = .seconds(24 * 3600)

    let registry: any WorkerRegistry
    let owner: String
    let roles: ServiceRoles
    let queue: any JobQueue
    let logger: Logger
    let startedAt = Date()

    public init(registry: any WorkerRegistry, owner: String, roles: ServiceRoles, queue: any JobQueue, logger: Logger) {
        self.registry = registry
        self.owner = owner
        self.roles = roles
        self.queue = queue
        self.logger = logger
    }

    public var description: String { "Heartbeat(\(roles))" }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    try await beat()
                    if failing { logger.notice("heartbeat recorded again") }
                    failing = false
                } catch {
                    if !failing { logger.warning("heartbeat not recorded; retrying", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try? await Task.sleep(for: Self.interval) // cancelled: the loop ends
            }
        }
        do {
            try await registry.remove(owner)
        } catch {
            logger.warning("heartbeat record not removed at stop; it turns stale", metadata: ["error": "\(error)"])
        }
    }

    /// One beat: the jobs this process runs are the queue's running jobs owned by it.
    func beat() async throws {
        let held = roles.contains(.workers) ? try await queue.list(state: .running).filter { $0.owner == owner }.map(\.id) : []
        let parsed = JobOwner.parse(owner)
        let record = WorkerRecord(id: owner, roles: roles.names, host: parsed?.host ?? JobOwner.hostname,
                                  pid: parsed?.pid ?? getpid(), startedAt: startedAt, heartbeatAt: Date(), jobs: held)
        try await registry.beat(record, forgetAfter: Self.forgetAfter)
    }
}
