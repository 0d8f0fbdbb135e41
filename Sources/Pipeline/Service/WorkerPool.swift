import Catalog
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TopView

/// Runs archive jobs from the durable queue with bounded concurrency. A job is a *re-query* of the task (a
/// callback is only a hint): settled tasks are archived, unsettled ones handed to the watch list.
/// On graceful shutdown it stops claiming and cancels running archives, which stop at the next frame or chunk;
/// their staging files are never visible and the jobs are recovered by the next start.
public struct WorkerPool: Service {
    let queue: any JobQueue
    let watch: WatchList
    let archiver: Archiver
    let notifier: Notifier?
    let settings: ServiceSettings
    let wake: WakeSignal
    let owner: String
    let logger: Logger

    public init(queue: any JobQueue, watch: WatchList, archiver: Archiver, notifier: Notifier?, settings: ServiceSettings,
                wake: WakeSignal, owner: String, logger: Logger) {
        self.queue = queue
        self.watch = watch
        self.archiver = archiver
        self.notifier = notifier
        self.settings = settings
        self.wake = wake
        self.owner = owner
        self.logger = logger
    }

    public func run() async throws {
        let recovered = try await queue.recover(owner: owner)
        if recovered > 0 { logger.notice("recovered jobs left running by a previous process", metadata: ["jobs": "\(recovered)"]) }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for n in 0..<settings.workers {
                    group.addTask { await worker(n) }
                }
                group.addTask { await reportQueue() }
            }
        } onGracefulShutdown: {
            wake.signal()
        }
    }

    /// One worker: claim, run, record; idle waits are cut short by `wake`.
    private func worker(_ n: Int) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let job: Job?
            do {
                job = try await queue.claim(owner: owner)
            } catch {
                logger.error("queue claim failed", metadata: ["error": "\(error)"])
                await wake.wait(timeout: settings.idlePoll)
                continue
            }
            guard let job else {
                await wake.wait(timeout: settings.idlePoll)
                continue
            }
            await cancelOnGracefulShutdown { await self.execute(job) }
        }
    }

    private func execute(_ job: Job) async {
        var logger = self.logger
        logger[metadataKey: "task.id"] = "\(job.taskId)"
        logger[metadataKey: "job.id"] = "\(job.id)"
        guard let kind = TaskKinds.kind(named: job.kind) else {
            _ = try? await queue.fail(job.id, error: "unknown task kind \(job.kind)", retryAfter: .seconds(3600))
            return
        }
        let started = ContinuousClock.now
        logger.info("job started", metadata: ["job.attempt": "\(job.attempts + 1)"])
        let outcome = await archiver.archive(taskId: job.taskId, kind: kind)
        if Task.isCancelled {
            logger.notice("job interrupted by shutdown; it will be resumed at the next start")
            return
        }
        Timer(label: "reel_job_seconds", dimensions: [("status", "\(outcome.status)")]).record(duration: ContinuousClock.now - started)
        Counter(label: "reel_jobs_finished_total", dimensions: [("status", "\(outcome.status)")]).increment()
        do {
            switch outcome.status {
            case .ok, .attention:
                try await queue.complete(job.id)
                logger.info("job done", metadata: ["job.status": "\(outcome.status)", "job.message": "\(outcome.message ?? "")"])
                await notify(job)
            case .notSettled:
                _ = try watch.add([job.taskId], kind: job.kind)
                try await queue.complete(job.id)
                logger.info("task not settled yet; watching it")
            case .usage:
                _ = try await queue.fail(job.id, error: outcome.message ?? "configuration error", retryAfter: .seconds(600))
                logger.error("job failed: configuration or credentials", metadata: ["error": "\(outcome.message ?? "")"])
            case .unavailable:
                let after = try await queue.fail(job.id, error: outcome.message ?? "upstream unavailable", retryAfter: nil)
                logger.warning("job will be retried", metadata: ["job.state": "\(after.state)", "error": "\(outcome.message ?? "")"])
            }
        } catch {
            logger.error("queue update failed", metadata: ["error": "\(error)"])
        }
    }

    private func notify(_ job: Job) async {
        guard let notifier, notifier.isConfigured,
              let id = try? TaskID(validating: job.taskId),
              let manifest = try? archiver.context.catalog.manifest(for: id),
              let data = try? CatalogJSON.encoder(pretty: false).encode(manifest) else { return }
        await notifier.notify(taskId: job.taskId, document: data)
    }

    /// Keeps the queue gauges fresh for /metrics.
    private func reportQueue() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let counts = try? await queue.counts() {
                for state in JobState.allCases {
                    Gauge(label: "reel_jobs", dimensions: [("state", state.rawValue)]).record(counts[state] ?? 0)
                }
                Gauge(label: "reel_queue_depth").record(counts[.pending] ?? 0)
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }
}
