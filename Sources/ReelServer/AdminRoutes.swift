import Catalog
import Foundation
import Hummingbird
import Logging
import Pipeline
import Prometheus

/// The admin listener: `/healthz`, `/metrics`, `/api/tasks`, `/api/tasks/{taskId}`, the catalog's files under
/// `/files/…` (with range support, no path escapes) and the catalog page at `/`.
struct AdminRoutes: Sendable {
    let configuration: ServerConfiguration
    let catalog: Catalog
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: AdminAuthMiddleware(token: configuration.adminToken))
        router.add(middleware: CatalogFileGuard(layout: catalog.layout))
        router.add(middleware: FileMiddleware(catalog.root.path, urlBasePath: "/files", searchForIndexHtml: false,
                                              logger: logger))
        router.get("/healthz") { _, _ in Reply.text("ok\n", contentType: "text/plain; charset=utf-8") }
        router.get("/metrics") { _, _ in
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return Reply.text(String(decoding: bytes, as: UTF8.self), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/api/tasks") { request, _ in try listTasks(request) }
        router.get("/api/tasks/:taskId") { _, context in try showTask(context.parameters.get("taskId") ?? "") }
        router.get("/") { request, _ in try CatalogPage(catalog: catalog, pageSize: configuration.pageSize).render(request) }
        return router
    }

    func listTasks(_ request: Request) throws -> Response {
        let q = request.uri.queryParameters
        let limit = min(1000, max(1, q.get("limit", as: Int.self) ?? configuration.pageSize))
        let offset = max(0, q.get("offset", as: Int.self) ?? 0)
        let filter = TaskFilter(scriptId: q.get("script", as: Int.self), verdict: q.get("verdict"), state: q.get("state"),
                                limit: limit + 1, offset: offset)
        var tasks = try catalog.list(filter: filter)
        let more = tasks.count > limit
        if more { tasks.removeLast() }
        struct Page: Encodable { let tasks: [TaskSummary]; let limit: Int; let offset: Int; let nextOffset: Int? }
        return try Reply.json(Page(tasks: tasks, limit: limit, offset: offset, nextOffset: more ? offset + limit : nil),
                              encoder: CatalogJSON.encoder(pretty: false))
    }

    /// The same JSON document as `reel show --json`.
    func showTask(_ raw: String) throws -> Response {
        guard let id = try? TaskID(validating: raw) else { return Reply.error(.badRequest, "not a valid task id") }
        guard let manifest = try catalog.manifest(for: id) else { return Reply.error(.notFound, "task \(id) is not in the catalog") }
        return Reply.json(try ShowDocument.encode(manifest))
    }
}

/// Bearer-token check for every admin route except `/healthz` (when a token is configured).
struct AdminAuthMiddleware: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        guard let token, request.uri.path != "/healthz" else { return try await next(request, context) }
        let given = request.headers[.authorization] ?? ""
        guard given.hasPrefix("Bearer "), constantTimeEquals(String(given.dropFirst(7)), token) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer"
            return Response(status: .unauthorized, headers: headers)
        }
        return try await next(request, context)
    }
}

/// Lets through only `/files/<path>` whose path names a regular file under `tasks/` that the catalog layout accepts
/// (no `..`, no hidden or staging files, no symlink out of the root); anything else under `/files` is 404.
struct CatalogFileGuard: RouterMiddleware {
    let layout: CatalogLayout

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == "/files" || path.hasPrefix("/files/") else { return try await next(request, context) }
        guard file(forRequestPath: path) != nil else { return Reply.error(.notFound, "Not Found") }
        return try await next(request, context)
    }

    /// The file a request path (`/files/tasks/…`, percent-encoded as received) may serve, or `nil`.
    func file(forRequestPath path: String) -> URL? {
        guard path.hasPrefix("/files/"), let decoded = String(path.dropFirst("/files/".count)).removingPercentEncoding,
              decoded.hasPrefix("tasks/"), let url = try? layout.absoluteURL(relative: decoded) else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return url
    }
}
