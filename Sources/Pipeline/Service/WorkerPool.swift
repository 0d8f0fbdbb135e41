import Catalog
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TopView

/// Runs archive jobs from the durable queue with bounded concurrency. A job is a *re-query* of the task (a
/// callback is only a hint): settled tasks are archived, unsettled ones handed to the watch list.
/// On graceful shutdown it stops claiming and cancels running archives, which stop at the next frame or chunk;
/// their staging files are never visible and their jobs go back to pending with the attempt given back (a stop is not
/// a failure), for the next start. A job whose process vanished instead (SIGKILL, crash) is found by
/// ``JobQueue/recover(owner:maxInterruptions:)`` at start: an interruption, counted up to
/// ``ServiceSettings/maxInterruptions`` in a row.
/// Every job is measured (``JobMetrics``); its logs, the downloader's included, carry the task id.
public struct WorkerPool: Service, CustomStringConvertible {
    let queue: any JobQueue
    let watch: any WatchStore
    let archiver: Archiver
    let notifier: Notifier?
    let settings: ServiceSettings
    let wake: WakeSignal
    let owner: String
    let logger: Logger
    /// The per-stage bounds from `settings`, shared by every job of the pool.
    let limits: StageLimits
    let metrics: ReelMetrics

    public init(queue: any JobQueue, watch: any WatchStore, archiver: Archiver, notifier: Notifier?, settings: ServiceSettings,
                wake: WakeSignal, owner: String, metrics: ReelMetrics = ReelMetrics(), logger: Logger) {
        self.queue = queue
        self.watch = watch
        self.archiver = archiver
        self.notifier = notifier
        self.settings = settings
        self.wake = wake
        self.owner = owner
        self.logger = logger
        self.metrics = metrics
        limits = StageLimits(downloads: settings.downloadConcurrency, media: settings.mediaConcurrency, metrics: metrics)
    }

    /// What the service group logs (not the whole configuration).
    public var description: String {
        "WorkerPool(workers: \(settings.workers), downloads: \(limits.downloads.limit), media: \(limits.media.limit))"
    }

    public func run() async throws {
        let recovered = try await queue.recover(owner: owner, maxInterruptions: settings.maxInterruptions)
        if recovered > 0 { logger.notice("recovered jobs left running by a previous process", metadata: ["jobs": "\(recovered)"]) }
        // Idle waits and running jobs are cut by the graceful shutdown themselves (`cancelWhenGracefulShutdown`).
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<settings.workers {
                group.addTask { await worker(n) }
            }
            group.addTask { await reportQueue() }
        }
    }

    /// One worker: claim, run, record; idle waits are cut short by `wake`.
    private func worker(_ n: Int) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let job: Job?
            do {
                job = try await queue.claim(owner: owner)
            } catch {
                metrics.stateError("queue")
                logger.error("queue claim failed", metadata: ["error": "\(error)"])
                await idle()
                continue
            }
            guard let job else {
                await idle()
                continue
            }
            let run = await runLeased(job) { await cancelWhenGracefulShutdown { await self.execute(job) } }
            if run.leaseLost {
                metrics.leasesLost.increment()
                logger.warning("job lease lost: its run here was cancelled; another process has the job",
                               metadata: job.logMetadata())
            } else if !run.finished {
                await release(job)
            }
        }
    }

    /// Runs `body` (the job's run: `true` when it finished) and, with a leased queue, fences its manifest writes with
    /// the job's lease and cancels it as soon as the queue finds the lease lost (it stops at its next frame or chunk;
    /// nothing is recorded for it).
    private func runLeased(_ job: Job, _ body: @escaping @Sendable () async -> Bool) async -> (finished: Bool, leaseLost: Bool) {
        guard let leased = queue as? any LeasedJobQueue else { return (await body(), false) }
        return await withTaskGroup(of: Bool?.self) { group in
            // Every manifest write of the run first checks that the job is still this process's.
            group.addTask { await WriteFence.with(.init { try await leased.checkLease(job.id) }) { await body() } }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250)) // cancelled when the run ends first
                    if leased.hasLostLease(job.id) { return nil }
                }
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            guard let finished = first else {
                _ = await group.next()
                return (false, true)
            }
            // A fence check inside the run may find the lease lost before the watch does.
            if !finished, leased.hasLostLease(job.id) { return (false, true) }
            return (finished, false)
        }
    }

    /// A callback job of a kind whose bizType mapping is unconfirmed, whose query answered 4004 (not found).
    static func isUnconfirmedCallback(_ job: Job, _ outcome: ArchiveOutcome) -> Bool {
        job.reason == "callback" && job.kind == VideoAvatarKind.name && outcome.upstreamCode == "4004"
    }

    /// Gives a job stopped by shutdown back to the queue, uncounted. Runs outside the cancelled scope (only the
    /// job's own work was cancelled); if it cannot, the next start recovers the job as an interruption.
    private func release(_ job: Job) async {
        do {
            let released = try await queue.release(job.id)
            logger.notice("job interrupted by shutdown; it will be resumed at the next start",
                          metadata: released.logMetadata())
        } catch {
            metrics.stateError("queue")
            logger.error("job not released after shutdown; the next start recovers it",
                         metadata: job.logMetadata(["error": "\(error)"]))
        }
    }

    /// Waits for `wake`, the idle poll or the shutdown, whichever comes first.
    private func idle() async {
        let (wake, timeout) = (wake, settings.idlePoll)
        await cancelWhenGracefulShutdown { await wake.wait(timeout: timeout) }
    }

    /// Runs one job and records its outcome; `false` when shutdown interrupted it (nothing recorded).
    private func execute(_ job: Job) async -> Bool {
        var logger = self.logger
        logger[metadataKey: "task.id"] = "\(job.taskId)"
        logger[metadataKey: "queue.job_id"] = "\(job.id)"
        guard let kind = TaskKinds.kind(named: job.kind) else {
            let message = "unknown task kind \(job.kind)"
            logger.error("job refused: unknown task kind", metadata: ["task.kind": "\(job.kind)"])
            do {
                let after = try await queue.fail(job.id, error: message, retryAfter: .seconds(3600))
                logger.notice("job failed; retried in an hour", metadata: ["queue.state": "\(after.state)"])
            } catch {
                metrics.stateError("queue")
                logger.error("queue update failed; the job is left running until it is recovered",
                             metadata: ["error": "\(error)"])
            }
            return true
        }
        // An id the catalog refuses is reported by the archiver itself (a usage outcome); there is no manifest then.
        let id = try? TaskID(validating: job.taskId)
        let before = if let id { await manifest(for: id, logger: logger) } else { TaskManifest?.none }
        let clock = StageClock()
        let started = ContinuousClock.now
        logger.info("job started", metadata: ["queue.attempt": "\(job.attempts)"])
        let outcome = await archiver(for: job, clock: clock).archive(taskId: job.taskId, kind: kind)
        // Cancelled by shutdown, or fenced: a run whose lease was lost records nothing (another process has the job).
        if Task.isCancelled || (queue as? any LeasedJobQueue)?.hasLostLease(job.id) == true { return false }
        let after = if let id { await manifest(for: id, logger: logger) } else { TaskManifest?.none }
        if Self.isUnconfirmedCallback(job, outcome) {
            // `ZERO_SHOT_AVATAR` is mapped to the video avatar on the vendor's list alone: when that query does not
            // know the task, the callback was for something else, and is recorded as ignored.
            metrics.callback("ignored")
            logger.notice("callback ignored: its task is not a \(job.kind) task upstream (4004); nothing archived")
        }
        metrics.job(outcome: outcome, duration: ContinuousClock.now - started, stages: clock.durations, before: before, after: after)
        do {
            switch outcome.status {
            case .ok, .attention:
                try await queue.complete(job.id, outcome: JobOutcome(result: outcome.status == .ok ? "ok" : "attention",
                                                                     message: outcome.message))
                logger.info("job done", metadata: ["job.status": "\(outcome.status)", "job.message": "\(outcome.message ?? "")"])
                // A rerun that found everything archived already has nothing new to tell.
                if let after, Self.hasNews(before: before, after: after) { await notify(job, manifest: after) }
            case .notSettled:
                _ = try await watch.add([job.taskId], kind: job.kind)
                try await queue.complete(job.id)
                logger.info("task not settled yet; watching it")
            case .usage:
                _ = try await queue.fail(job.id, error: outcome.message ?? "configuration error", retryAfter: .seconds(600))
                logger.error("job failed: configuration or credentials", metadata: ["error": "\(outcome.message ?? "")"])
            case .unavailable:
                let after = try await queue.fail(job.id, error: outcome.message ?? "upstream unavailable", retryAfter: nil)
                logger.warning("job will be retried", metadata: ["queue.state": "\(after.state)", "error": "\(outcome.message ?? "")"])
            }
        } catch let error as WatchListError {
            metrics.stateError("watch")
            logger.error("task not watched; the job is left running until it is recovered", metadata: ["error": "\(error)"])
        } catch {
            metrics.stateError("queue")
            logger.error("queue update failed", metadata: ["error": "\(error)"])
        }
        return true
    }

    /// The task's manifest around a job, for the metrics and the notification. A manifest that cannot be read is
    /// logged and counted (`catalog`); the job itself reports what the archiver saw.
    private func manifest(for id: TaskID, logger: Logger) async -> TaskManifest? {
        do {
            return try await archiver.context.catalog.manifest(for: id)
        } catch {
            metrics.stateError("catalog")
            logger.error("manifest not readable around the job; its metrics and notification are skipped",
                         metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The archiver for one job: its logs carry the task id, its events feed the stage clock.
    private func archiver(for job: Job, clock: StageClock) -> Archiver {
        let base = archiver.context
        var logger = base.logger
        logger[metadataKey: "task.id"] = "\(job.taskId)"
        var downloadLogger = base.downloader.logger
        downloadLogger[metadataKey: "task.id"] = "\(job.taskId)"
        let downloader = Downloader(httpClient: base.downloader.httpClient, configuration: base.downloader.configuration,
                                    logger: downloadLogger)
        let events = base.events
        return Archiver(context: ArchiveContext(catalog: base.catalog, client: base.client, downloader: downloader,
                                                settings: base.settings, limits: limits, logger: logger) { event in
            events(event)
            clock.observe(event)
        })
    }

    /// Whether a job changed what the catalog says about the task: its status or assets (not the manifest's dates,
    /// which a rewrite touches).
    static func hasNews(before: TaskManifest?, after: TaskManifest) -> Bool {
        guard let before else { return true }
        return before.status != after.status || before.errorMsg != after.errorMsg || before.assets != after.assets
    }

    private func notify(_ job: Job, manifest: TaskManifest) async {
        guard let notifier, notifier.isConfigured else { return }
        let data: Data
        do {
            data = try ShowDocument.encode(manifest)
        } catch {
            logger.error("notification not sent: the manifest does not encode",
                         metadata: job.logMetadata(["error": "\(error)"]))
            return
        }
        await notifier.notify(taskId: job.taskId, document: data)
    }

    /// Keeps the queue gauges fresh for /metrics.
    private func reportQueue() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    metrics.queue(counts: try await queue.counts())
                } catch {
                    logger.warning("queue counts for /metrics failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(5)) // ends early on shutdown; the loop condition sees it
            }
        }
    }
}
