import Catalog
import Foundation
import Hummingbird
import Logging
import Metrics
import Pipeline
import ReelBasics
import TopView

/// The callback listener's only route: `POST /callbacks/topview/{secret}`. The body is a hint; the task is re-queried
/// by a worker. Duplicates collapse in the queue (one that arrives while the job runs makes the queue run it once
/// more, as the running attempt may have queried before the news). Everything else on this listener is 404.
struct CallbackRoutes: Sendable {
    let configuration: ServerConfiguration
    let queue: any JobQueue
    let wake: WakeSignal
    let logger: Logger
    /// Which kind a watched task was watched as: its callbacks re-query it as that kind, whatever their bizType.
    var watch: (any WatchStore)? = nil
    /// `reel_callbacks_total{result}`: what became of the callbacks received.
    var metrics = ReelMetrics()

    func responder() -> some HTTPResponder<BasicRequestContext> {
        NormalizedPathResponder(inner: router().buildResponder())
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.post("/callbacks/topview/:secret") { request, context in
            try await handle(request, context: context)
        }
        return router
    }

    func handle(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let secret = context.parameters.get("secret") ?? ""
        guard constantTimeEquals(secret, configuration.callbackSecret) else {
            metrics.callback("wrong_secret")
            logger.warning("callback refused: wrong secret (the secret is not logged)")
            return Reply.error(.notFound, "Not Found")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.callbackMaxBytes)
        } catch {
            metrics.callback("too_large")
            return Reply.error(.contentTooLarge, "callback body over \(configuration.callbackMaxBytes) bytes")
        }
        let notice: CallbackNotice
        do {
            notice = try CallbackNotice.decode(body.readableBytesView, maxBytes: configuration.callbackMaxBytes)
        } catch {
            metrics.callback("malformed")
            logger.info("callback refused: malformed body", metadata: ["error": "\(SafeText.escape("\(error)"))"])
            return Reply.error(.badRequest, "malformed callback: \(error)")
        }
        // Validated before anything of it is logged; what is logged is escaped and cut (SafeText).
        guard let id = try? TaskID(validating: notice.taskId) else {
            metrics.callback("malformed")
            logger.info("callback refused: unsafe taskId", metadata: ["callback.task_id": "\(SafeText.escape(notice.taskId))"])
            return Reply.error(.badRequest, "malformed callback: taskId is not a safe identifier")
        }
        var logger = self.logger
        logger[metadataKey: "task.id"] = "\(id.rawValue)"
        let kind: any TaskKind.Type
        if let watched = try await watch?.entry(id.rawValue), let k = TaskKinds.kind(named: watched.kind) {
            kind = k
        } else if let bizType = notice.bizType {
            guard let k = TaskKinds.kind(forBizType: bizType) else {
                // Acknowledged as documented, so the vendor stops retrying: a bizType that names no media kind
                // (`M2V_SCRIPT`, `SCRAPER`, values added later) queues nothing.
                metrics.callback("ignored")
                logger.info("callback ignored: its bizType names no archived task kind", metadata: [
                    "callback.biz_type": "\(SafeText.escape(bizType, limit: 64))", "callback.uuid": "\(SafeText.escape(notice.uuid))",
                ])
                return acknowledgement(notice, request)
            }
            kind = k
        } else {
            kind = TaskKinds.defaultKind
        }
        let (job, inserted) = try await queue.enqueue(taskId: id.rawValue, kind: kind.name, reason: "callback")
        if inserted { wake.signal() }
        metrics.callback(inserted ? "queued" : "duplicate")
        logger.info("callback accepted", metadata: ["queue.job_id": "\(job.id)", "queue.job_new": "\(inserted)", "callback.uuid": "\(SafeText.escape(notice.uuid))"])
        return acknowledgement(notice, request)
    }

    /// The documented acknowledgement, echoing the callback's `uuid` and the `Topview-Uid` header.
    private func acknowledgement(_ notice: CallbackNotice, _ request: Request) -> Response {
        let uid = request.headers.first { $0.name.canonicalName == "topview-uid" }?.value
        return Reply.json(Data(CallbackAcknowledgement(uuid: notice.uuid, topviewUid: uid).jsonBytes()))
    }
}
