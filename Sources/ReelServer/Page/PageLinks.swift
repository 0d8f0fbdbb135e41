import Foundation

/// Every `href` and `src` of the pages, built from catalog values only: a catalog path under `/files/`, a task id
/// under `/tasks/` or `/api/tasks/`, the list's own query. Each part is percent-encoded (the template engine then
/// escapes the result for HTML), so no upstream text can end a path, start a query or name another origin.
enum PageLinks {
    /// Characters a path segment keeps as they are (RFC 3986 unreserved).
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// A catalog file (a path relative to the storage root, as manifests record it), each segment encoded.
    static func file(_ path: String) -> String {
        "/files/" + path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
    }

    static func task(_ id: String) -> String { "/tasks/" + encode(id) }
    static func taskJSON(_ id: String) -> String { "/api/tasks/" + encode(id) }

    /// `/` with `parameters` (nil values dropped) as its query.
    static func list(_ parameters: [(String, String?)]) -> String {
        let query = parameters.compactMap { name, value in value.map { "\(name)=\(encode($0))" } }.joined(separator: "&")
        return query.isEmpty ? "/" : "/?" + query
    }
}
