import Catalog
import Foundation
import Hummingbird
import Logging
import Pipeline
import Prometheus

/// The admin listener: `/healthz`, `/metrics`, `/api/tasks`, `/api/tasks/{taskId}`, the catalog's recorded files under
/// `/files/…` (ranges, nothing else served) and the catalog page at `/`. The path is decoded and normalised once, in
/// front of the router (``NormalizedPathResponder``); `HEAD` works on every `GET` route.
struct AdminRoutes: Sendable {
    let configuration: ServerConfiguration
    let catalog: Catalog
    let health: HealthCheck
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    init(configuration: ServerConfiguration, catalog: Catalog, queue: any JobQueue, registry: PrometheusCollectorRegistry,
         logger: Logger) {
        self.configuration = configuration
        self.catalog = catalog
        self.health = HealthCheck(catalog: catalog, queue: queue)
        self.registry = registry
        self.logger = logger
    }

    func responder() -> some HTTPResponder<BasicRequestContext> {
        NormalizedPathResponder(inner: router().buildResponder())
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: AdminAuthMiddleware(token: configuration.adminToken))
        router.get("/healthz") { _, _ in
            if let problem = await health.problem() {
                return Reply.text("unavailable: \(problem)\n", contentType: "text/plain; charset=utf-8", status: .serviceUnavailable)
            }
            return Reply.text("ok\n", contentType: "text/plain; charset=utf-8")
        }
        router.get("/metrics") { _, _ in
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return Reply.text(ReelMetrics.withHelp(String(decoding: bytes, as: UTF8.self)), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        // A process without the admin role (`--roles workers`) serves health and metrics only.
        guard configuration.roles.contains(.admin) else { return router }
        router.get("/api/tasks") { request, _ in try await listTasks(request) }
        router.get("/api/tasks/:taskId") { _, context in try await showTask(context.parameters.get("taskId") ?? "") }
        router.get("/files/**") { request, _ in try await CatalogFiles(catalog: catalog).respond(request) }
        router.get("/") { request, _ in try await CatalogPage(catalog: catalog, pageSize: configuration.pageSize).render(request) }
        return router
    }

    func listTasks(_ request: Request) async throws -> Response {
        let query: TaskListQuery
        do throws(TaskListQuery.Invalid) {
            query = try TaskListQuery(request.uri.queryParameters, defaultLimit: configuration.pageSize)
        } catch {
            return Reply.error(.badRequest, error.message)
        }
        var tasks = try await catalog.list(filter: query.filter())
        let more = tasks.count > query.limit
        if more { tasks.removeLast() }
        struct Page: Encodable { let tasks: [TaskSummary]; let limit: Int; let offset: Int; let nextOffset: Int? }
        return try Reply.json(Page(tasks: tasks, limit: query.limit, offset: query.offset,
                                   nextOffset: more ? query.offset + query.limit : nil),
                              encoder: CatalogJSON.encoder(pretty: false))
    }

    /// The same JSON document as `reel show --json`.
    func showTask(_ raw: String) async throws -> Response {
        guard let id = try? TaskID(validating: raw) else { return Reply.error(.badRequest, "not a valid task id") }
        guard let manifest = try await catalog.manifest(for: id) else { return Reply.error(.notFound, "task \(id) is not in the catalog") }
        return Reply.json(try ShowDocument.encode(manifest))
    }
}

/// Bearer-token check for every admin route except `/healthz` (when a token is configured). The scheme is
/// case-insensitive (`Bearer`, `bearer`, `BEARER`), as RFC 9110 §11.1 says.
struct AdminAuthMiddleware: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        guard let token, request.uri.path != "/healthz" else { return try await next(request, context) }
        guard let given = Self.bearerToken(request.headers[.authorization]), constantTimeEquals(given, token) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer"
            return Response(status: .unauthorized, headers: headers)
        }
        return try await next(request, context)
    }

    /// The credentials of an `Authorization: Bearer <token>` header, whatever the case of the scheme.
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7).trimmingASCIISpaces())
    }
}
