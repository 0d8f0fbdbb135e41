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
        router.get("/") { request, _ in
            try await CatalogListPage(catalog: catalog, pageSize: configuration.pageSize, signedIn: signedIn(request)).render(request)
        }
        router.get("/tasks/:taskId") { request, context in
            try await TaskPage(catalog: catalog, signedIn: signedIn(request)).render(context.parameters.get("taskId") ?? "")
        }
        router.get("/static/:name") { _, context in
            PageStatic.respond(context.parameters.get("name") ?? "") ?? Reply.error(.notFound, "no such file")
        }
        router.get("/favicon.ico") { _, _ in PageStatic.respond("favicon.svg")! }
        router.get("/login") { request, _ in loginPage(next: request.uri.queryParameters["next"].map(String.init), failed: false) }
        router.post("/login") { request, _ in try await login(request) }
        router.post("/logout") { _, _ in
            var headers = HTTPFields()
            headers[.location] = "/login"
            headers[.setCookie] = BrowserSession.clearCookie
            return Response(status: .seeOther, headers: headers)
        }
        return router
    }

    /// Whether the page is shown to someone signed in with a session cookie (it then offers to sign out).
    private func signedIn(_ request: Request) -> Bool {
        configuration.adminToken.map { BrowserSession(token: $0).isSignedIn(request.headers) } ?? false
    }

    private func loginPage(next: String?, failed: Bool) -> Response {
        guard configuration.adminToken != nil else {
            var headers = HTTPFields()
            headers[.location] = "/"
            return Response(status: .seeOther, headers: headers)
        }
        struct View { let title = "Sign in"; let signedIn = false; let scrubbing = false; let failed: Bool; let next: String }
        return PageResponse.html(PageTemplates.render("login", View(failed: failed, next: BrowserSession.safeNext(next))),
                                 status: failed ? HTTPResponse.Status.unauthorized : .ok)
    }

    /// `POST /login`: the admin token from the form; a session cookie and a redirect to `next` (a path of this site)
    /// when it is right, the form again with 401 when it is not.
    private func login(_ request: Request) async throws -> Response {
        guard let token = configuration.adminToken else { return loginPage(next: nil, failed: false) }
        let body = try await request.body.collect(upTo: 8192)
        let fields = BrowserSession.form(String(buffer: body))
        guard let given = fields["token"], constantTimeEquals(given, token) else {
            logger.notice("browser sign-in refused: wrong admin token")
            return loginPage(next: fields["next"], failed: true)
        }
        let session = BrowserSession(token: token)
        var headers = HTTPFields()
        headers[.location] = BrowserSession.safeNext(fields["next"])
        headers[.setCookie] = session.setCookie(session.issue())
        return Response(status: .seeOther, headers: headers)
    }

    func listTasks(_ request: Request) async throws -> Response {
        let query: TaskListQuery
        do throws(TaskListQuery.Invalid) {
            query = try TaskListQuery(request.uri.queryParameters, defaultLimit: configuration.pageSize)
        } catch {
            return Reply.error(.badRequest, error.message)
        }
        var tasks = try await catalog.list(filter: query.filter())
        let total = try await catalog.count(filter: query.filter())
        let more = tasks.count > query.limit
        if more { tasks.removeLast() }
        struct Page: Encodable {
            let tasks: [TaskSummary]
            let total: Int
            let limit: Int
            let offset: Int
            let page: Int
            let perPage: Int
            let nextOffset: Int?
        }
        return try Reply.json(Page(tasks: tasks, total: total, limit: query.limit, offset: query.offset, page: query.page,
                                   perPage: query.limit, nextOffset: more ? query.offset + query.limit : nil),
                              encoder: CatalogJSON.encoder(pretty: false))
    }

    /// The same JSON document as `reel show --json`.
    func showTask(_ raw: String) async throws -> Response {
        guard let id = try? TaskID(validating: raw) else { return Reply.error(.badRequest, "not a valid task id") }
        guard let manifest = try await catalog.manifest(for: id) else { return Reply.error(.notFound, "task \(id) is not in the catalog") }
        return Reply.json(try ShowDocument.encode(manifest))
    }
}

/// The admin token check for every admin route except `/healthz`, the sign-in page and the pages' static files and icon (when a
/// token is configured): an `Authorization: Bearer` header (the scheme case-insensitive, as RFC 9110 §11.1 says) or a
/// browser session cookie from `/login`. A browser asking for a page without either is sent to `/login`; anything
/// else gets 401.
struct AdminAuthMiddleware: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard let token, path != "/healthz", path != "/login", path != "/favicon.ico", !path.hasPrefix("/static/") else {
            return try await next(request, context)
        }
        if let given = Self.bearerToken(request.headers[.authorization]), constantTimeEquals(given, token) {
            return try await next(request, context)
        }
        if BrowserSession(token: token).isSignedIn(request.headers) { return try await next(request, context) }
        if request.method == .get || request.method == .head, path == "/" || path.hasPrefix("/tasks/"),
           request.headers[.accept]?.contains("text/html") == true {
            var headers = HTTPFields()
            headers[.location] = "/login?next=" + PageLinks.encode(BrowserSession.safeNext(path + (request.uri.query.map { "?" + $0 } ?? "")))
            return Response(status: .seeOther, headers: headers)
        }
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer"
        return Response(status: .unauthorized, headers: headers)
    }

    /// The credentials of an `Authorization: Bearer <token>` header, whatever the case of the scheme.
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7).trimmingASCIISpaces())
    }
}
