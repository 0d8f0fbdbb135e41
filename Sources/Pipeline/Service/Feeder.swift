import Foundation
import Logging
import Metrics
import ReelBasics
import ServiceLifecycle
import TopView

/// Polls the watch list: unsettled tasks are re-queried with backoff under a request rate and concurrency limit;
/// settled ones are enqueued for the workers. A settled task whose items are still null (an export not requested
/// yet) stays watched until the horizon, polled with the same backoff, and is enqueued again whenever a new item
/// becomes ready.
public struct Feeder: Service, CustomStringConvertible {
    let client: TopViewClient
    let watch: any WatchStore
    /// The deployment's feeder lease: only its holder polls (`nil`: this process is the only feeder).
    let leadership: Leadership?
    let queue: any JobQueue
    let settings: ServiceSettings
    let wake: WakeSignal
    let limiter: RateLimiter
    let metrics: ReelMetrics
    let logger: Logger

    public init(client: TopViewClient, watch: any WatchStore, queue: any JobQueue, settings: ServiceSettings, wake: WakeSignal,
                leadership: Leadership? = nil, metrics: ReelMetrics = ReelMetrics(), logger: Logger) {
        self.client = client
        self.watch = watch
        self.leadership = leadership
        self.queue = queue
        self.settings = settings
        self.wake = wake
        self.limiter = RateLimiter(perSecond: settings.requestsPerSecond)
        self.metrics = metrics
        self.logger = logger
    }

    /// What the service group logs (not the whole configuration).
    public var description: String { "Feeder(concurrency: \(settings.feederConcurrency))" }

    /// Whether this process may poll now.
    var isLeader: Bool { leadership?.isLeader ?? true }

    public func run() async throws {
        var unreadable: String?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let due: [WatchEntry]
            do {
                // Only the holder of the feeder lease polls: one request budget for the deployment.
                due = isLeader ? try await watch.due(now: Date()) : []
                if unreadable != nil { logger.notice("watch list readable again") }
                unreadable = nil
            } catch {
                // Counted every round, logged when it starts or changes (not once a second while it lasts).
                metrics.stateError("watch")
                if unreadable != "\(error)" {
                    logger.error("watch list not readable; no watched task is polled until it is",
                                 metadata: ["watch.store": "\(watch)", "error": "\(error)"])
                }
                unreadable = "\(error)"
                due = []
            }
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for entry in due where !Task.isShuttingDownGracefully && isLeader {
                    if running >= settings.feederConcurrency {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await poll(entry) }
                    running += 1
                }
            }
            // Best effort: the pause between rounds ends early on shutdown, which the loop condition then sees.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }

    /// One poll of one watched task.
    func poll(_ entry: WatchEntry) async {
        var entry = entry
        var logger = self.logger
        logger[metadataKey: "task.id"] = "\(entry.taskId)"
        guard let kind = TaskKinds.kind(named: entry.kind) else {
            logger.warning("watched task of an unknown kind; no longer watched", metadata: ["task.kind": "\(entry.kind)"])
            await unwatch(entry, logger: logger)
            return
        }
        let snapshot: TaskSnapshot
        do {
            try await limiter.acquire()
            snapshot = try await client.queryOnce(kind: kind, taskId: entry.taskId)
        } catch let error as TopViewError {
            metrics.upstreamError(error.upstreamLabel ?? "transport")
            entry.polls += 1
            entry.lastError = error.description
            if error.disposition == .notFound || error.disposition == .permanent {
                logger.warning("watched task refused upstream; no longer watched", metadata: ["error": "\(error)"])
                await unwatch(entry, logger: logger)
                return
            }
            entry.nextPollAt = Date().addingTimeInterval(backoff(entry.polls))
            await save(entry, logger: logger)
            return
        } catch {
            logger.error("watch poll failed", metadata: ["error": "\(error)"])
            return
        }
        entry.polls += 1
        entry.lastError = nil
        let signature = Self.signature(snapshot)
        if snapshot.isSettled {
            let changed = entry.lastStatus != signature
            if changed {
                do {
                    let (_, inserted) = try await queue.enqueue(taskId: entry.taskId, kind: entry.kind, reason: "watch")
                    if inserted { wake.signal() }
                    logger.info("settled task enqueued", metadata: ["task.status": "\(snapshot.status ?? "")"])
                } catch {
                    // The entry is left as it was: the task is polled and enqueued again at the next round.
                    metrics.stateError("queue")
                    logger.error("settled task not enqueued; retried at the next poll", metadata: ["error": "\(error)"])
                    return
                }
            }
            entry.lastStatus = signature
            if entry.settledAt == nil { entry.settledAt = Date() }
            let waitingForItems = snapshot.items.contains { $0.status == nil }
            let horizonOver = Date().timeIntervalSince(entry.settledAt ?? Date()) > settings.watchHorizon.inSeconds
            if !waitingForItems || horizonOver {
                await unwatch(entry, logger: logger)
                return
            }
        } else {
            entry.lastStatus = signature
        }
        entry.nextPollAt = Date().addingTimeInterval(backoff(entry.polls))
        await save(entry, logger: logger)
    }

    /// Writes back one entry after a poll. A failure is logged and counted; the entry keeps its old poll date, so the
    /// task is polled again at the next round.
    private func save(_ entry: WatchEntry, logger: Logger) async {
        do {
            _ = try await watch.update(entry)
        } catch {
            metrics.stateError("watch")
            logger.error("watch entry not updated; the task is polled again at the next round",
                         metadata: ["watch.store": "\(watch)", "error": "\(error)"])
        }
    }

    /// Stops watching one task. A failure is logged and counted; the task stays on the list and is polled again.
    private func unwatch(_ entry: WatchEntry, logger: Logger) async {
        do {
            _ = try await watch.remove([entry.taskId])
        } catch {
            metrics.stateError("watch")
            logger.error("watched task not removed from the list; it is polled again",
                         metadata: ["watch.store": "\(watch)", "error": "\(error)"])
        }
    }

    /// What was ready at this poll: a new ready item changes it.
    static func signature(_ s: TaskSnapshot) -> String {
        let ready = s.items.filter { $0.status != nil && !$0.isInProgress }
            .map { "\($0.role)-\($0.scriptId):\($0.status ?? "")" }.sorted()
        return "\(s.status ?? "null")|\(ready.joined(separator: ","))"
    }

    private func backoff(_ polls: Int) -> TimeInterval {
        min(settings.maxWatchInterval.inSeconds, settings.watchInterval.inSeconds * pow(1.5, Double(max(0, polls - 1))))
    }
}
