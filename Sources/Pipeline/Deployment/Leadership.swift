import Foundation
import Logging
import ReelBasics
import ServiceLifecycle
import Synchronization

/// Holds a ``LeaderLease`` for this process while it can: tries to take it, renews it every third of `lease`, and
/// gives it up on a graceful stop. ``isLeader`` is true only until the lease could have expired since the last renewal
/// that succeeded (measured from before the renewal was sent, on the monotonic clock): a process paused (SIGSTOP) past
/// its lease no longer believes it leads when it resumes, before it has asked again.
public final class Leadership: Service, CustomStringConvertible, Sendable {
    public let lease: any LeaderLease
    public let name: String
    public let holder: String
    public let duration: Duration
    let logger: Logger
    /// Until when this process may act as the leader, and whether its last attempt got the lease.
    private let state = Mutex<(validUntil: ContinuousClock.Instant?, held: Bool)>((nil, false))

    public init(lease: any LeaderLease, name: String, holder: String, duration: Duration, logger: Logger) {
        self.lease = lease
        self.name = name
        self.holder = holder
        self.duration = max(.seconds(1), duration)
        self.logger = logger
    }

    public var description: String { "Leadership(\(name))" }

    public var isLeader: Bool {
        guard let until = state.withLock({ $0.validUntil }) else { return false }
        return ContinuousClock.now < until
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.renew()
                try? await Task.sleep(for: self.duration / 3) // cancelled: the loop ends
            }
        }
        let wasLeader = state.withLock { state in
            defer { state = (nil, false) }
            return state.held
        }
        guard wasLeader else { return }
        do {
            try await lease.release(name, holder: holder)
            logger.notice("leader lease released", metadata: ["lease.name": "\(name)"])
        } catch {
            logger.warning("leader lease not released; another process takes it when it expires",
                           metadata: ["lease.name": "\(name)", "error": "\(error)"])
        }
    }

    /// One attempt to take or extend the lease.
    func renew() async {
        let sent = ContinuousClock.now
        do {
            let held = try await lease.acquire(name, holder: holder, for: duration)
            let wasHeld = state.withLock { state in
                defer { state = (held ? sent + duration : nil, held) }
                return state.held
            }
            if held && !wasHeld { logger.notice("leader lease taken: this process leads", metadata: ["lease.name": "\(name)"]) }
            if !held && wasHeld { logger.warning("leader lease lost to another process", metadata: ["lease.name": "\(name)"]) }
        } catch {
            logger.warning("leader lease not renewed", metadata: ["lease.name": "\(name)", "error": "\(error)"])
        }
    }
}
