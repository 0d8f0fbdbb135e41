import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TopView

/// Polls the watch list: unsettled tasks are re-queried with backoff under a request rate and concurrency limit;
/// settled ones are enqueued for the workers. A settled task whose items are still null (an export not requested
/// yet) stays watched until the horizon, polled with the same backoff, and is enqueued again whenever a new item
/// becomes ready.
public struct Feeder: Service, CustomStringConvertible {
    let client: TopViewClient
    let watch: WatchList
    let queue: any JobQueue
    let settings: ServiceSettings
    let wake: WakeSignal
    let limiter: RateLimiter
    let metrics: ReelMetrics
    let logger: Logger

    public init(client: TopViewClient, watch: WatchList, queue: any JobQueue, settings: ServiceSettings, wake: WakeSignal,
                metrics: ReelMetrics = ReelMetrics(), logger: Logger) {
        self.client = client
        self.watch = watch
        self.queue = queue
        self.settings = settings
        self.wake = wake
        self.limiter = RateLimiter(perSecond: settings.requestsPerSecond)
        self.metrics = metrics
        self.logger = logger
    }

    /// What the service group logs (not the whole configuration).
    public var description: String { "Feeder(concurrency: \(settings.feederConcurrency))" }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let due = (try? watch.due(now: Date())) ?? []
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for entry in due where !Task.isShuttingDownGracefully {
                    if running >= settings.feederConcurrency {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await poll(entry) }
                    running += 1
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }

    /// One poll of one watched task.
    func poll(_ entry: WatchEntry) async {
        var entry = entry
        var logger = self.logger
        logger[metadataKey: "task.id"] = "\(entry.taskId)"
        guard let kind = TaskKinds.kind(named: entry.kind) else {
            _ = try? watch.remove([entry.taskId])
            return
        }
        do {
            try await limiter.acquire()
            let snapshot = try await client.queryOnce(kind: kind, taskId: entry.taskId)
            entry.polls += 1
            entry.lastError = nil
            let signature = Self.signature(snapshot)
            if snapshot.isSettled {
                let changed = entry.lastStatus != signature
                entry.lastStatus = signature
                if entry.settledAt == nil { entry.settledAt = Date() }
                if changed {
                    let (_, inserted) = try await queue.enqueue(taskId: entry.taskId, kind: entry.kind, reason: "watch")
                    if inserted { wake.signal() }
                    logger.info("settled task enqueued", metadata: ["task.status": "\(snapshot.status ?? "")"])
                }
                let waitingForItems = snapshot.items.contains { $0.status == nil }
                let horizonOver = Date().timeIntervalSince(entry.settledAt ?? Date()) > seconds(settings.watchHorizon)
                if !waitingForItems || horizonOver {
                    _ = try watch.remove([entry.taskId])
                    return
                }
                entry.nextPollAt = Date().addingTimeInterval(backoff(entry.polls))
            } else {
                entry.lastStatus = signature
                entry.nextPollAt = Date().addingTimeInterval(backoff(entry.polls))
            }
            _ = try watch.update(entry)
        } catch let error as TopViewError {
            metrics.upstreamError(error.upstreamLabel ?? "transport")
            entry.polls += 1
            entry.lastError = error.description
            if error.disposition == .notFound || error.disposition == .permanent {
                logger.warning("watched task refused upstream; no longer watched", metadata: ["error": "\(error)"])
                _ = try? watch.remove([entry.taskId])
                return
            }
            entry.nextPollAt = Date().addingTimeInterval(backoff(entry.polls))
            _ = try? watch.update(entry)
        } catch {
            logger.error("watch poll failed", metadata: ["error": "\(error)"])
        }
    }

    /// What was ready at this poll: a new ready item changes it.
    static func signature(_ s: TaskSnapshot) -> String {
        let ready = s.items.filter { $0.status != nil && $0.status != "init" && $0.status != "running" }
            .map { "\($0.role)-\($0.scriptId):\($0.status ?? "")" }.sorted()
        return "\(s.status ?? "null")|\(ready.joined(separator: ","))"
    }

    private func backoff(_ polls: Int) -> TimeInterval {
        min(seconds(settings.maxWatchInterval), seconds(settings.watchInterval) * pow(1.5, Double(max(0, polls - 1))))
    }

    private func seconds(_ d: Duration) -> TimeInterval {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
