import Hummingbird

/// Sits in front of a router: decodes and normalises the request path once (``RequestPath``) and hands the router a
/// request whose path is the normalised one (query string kept). A path that cannot be normalised is 404, the same
/// answer as any other path that names nothing, so probing learns nothing.
struct NormalizedPathResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
    typealias Context = BasicRequestContext
    let inner: Inner

    func respond(to request: Request, context: Context) async throws -> Response {
        let raw = request.head.path ?? "/"
        let (pathPart, query) = Self.split(raw)
        guard let path = RequestPath(pathPart) else { return Reply.error(.notFound, "Not Found") }
        var head = request.head
        head.path = path.string + (query.map { "?" + $0 } ?? "")
        var normalized = Request(head: head, body: request.body)
        normalized.body = request.body
        return try await inner.respond(to: normalized, context: context)
    }

    /// Splits a request target at its first `?` (a `#` never reaches a server, and is refused in paths).
    static func split(_ target: String) -> (path: Substring, query: Substring?) {
        guard let q = target.firstIndex(of: "?") else { return (target[...], nil) }
        return (target[..<q], target[target.index(after: q)...])
    }
}
