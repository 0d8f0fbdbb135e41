import Catalog
import Hummingbird
import HummingbirdCore
import TopView

/// The query of `/api/tasks` and of the catalog page, validated: a known parameter with a bad value is refused (400
/// naming the parameter, the value and what it takes); unknown parameters are ignored.
///
/// Both take `q` (a task id prefix, at most 128 characters), `verdict`, `kind`, `sort` (`archived`, `-archived`, or
/// `updated`, the default), and `page` (from 1) with `per_page` (1–200) or `offset` with `limit`. `state` is an
/// asset's state for the API (`pending`, `archived`, `failed`, `absent`) and a task's for the page (`archived`,
/// `attention`, `pending`: see ``TaskState``).
struct TaskListQuery: Equatable {
    enum Audience { case api, page }

    var limit: Int
    var offset: Int
    var scriptId: Int?
    var verdict: String?
    var assetState: String?
    var taskState: TaskState?
    var kind: String?
    var q: String?
    var sort: TaskSort
    /// The page number when the list is paged (`page`, or derived from `offset`): `offset / limit + 1`.
    var page: Int { offset / max(1, limit) + 1 }

    static let verdicts = ["match", "mismatch", "unreported", "undecodable"]
    static let assetStates = ["pending", "archived", "failed", "absent"]
    static let maximumLimit = 1000
    static let maximumPerPage = 200
    static let maximumOffset = 1_000_000_000
    static let maximumQuery = 128

    struct Invalid: Error, Equatable {
        let parameter: String
        let value: String
        let allowed: String
        var message: String { "\(parameter) \(value.isEmpty ? "(empty)" : "'\(value)'") is not valid: \(parameter) takes \(allowed)" }
    }

    init(_ parameters: FlatDictionary<Substring, Substring>, defaultLimit: Int, audience: Audience = .api) throws(Invalid) {
        func shown(_ text: Substring) -> String {
            // Echoed in the error: printable ASCII only, and not much of it.
            String(String(text.prefix(64)).unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
        }
        // An empty value is no value: a GET form sends every field, `verdict=` for "any".
        func value(_ name: String) -> Substring? {
            parameters[name[...]].flatMap { $0.isEmpty ? nil : $0 }
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws(Invalid) -> Int? {
            guard let text = value(name) else { return nil }
            guard text.count <= 10, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text),
                  range.contains(value) else {
                throw Invalid(parameter: name, value: shown(text), allowed: "a decimal integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        func oneOf(_ name: String, _ allowed: [String]) throws(Invalid) -> String? {
            guard let text = value(name) else { return nil }
            guard allowed.contains(String(text)) else {
                throw Invalid(parameter: name, value: shown(text), allowed: "one of: \(allowed.joined(separator: ", "))")
            }
            return String(text)
        }
        let defaultSize = min(max(1, defaultLimit), audience == .page ? Self.maximumPerPage : Self.maximumLimit)
        let perPage = try integer("per_page", 1...Self.maximumPerPage)
        let page = try integer("page", 1...(Self.maximumOffset / Self.maximumPerPage))
        let limit = try integer("limit", 1...Self.maximumLimit)
        let offset = try integer("offset", 0...Self.maximumOffset)
        let size = perPage ?? limit ?? defaultSize
        self.limit = size
        self.offset = page.map { ($0 - 1) * size } ?? offset ?? 0
        scriptId = try integer("script", 0...Int(Int32.max))
        verdict = try oneOf("verdict", Self.verdicts)
        switch audience {
        case .api: assetState = try oneOf("state", Self.assetStates)
        case .page: taskState = try oneOf("state", TaskState.allCases.map(\.rawValue)).flatMap(TaskState.init(rawValue:))
        }
        kind = try oneOf("kind", TaskKinds.names)
        sort = try oneOf("sort", TaskSort.allCases.map(\.rawValue)).flatMap(TaskSort.init(rawValue:)) ?? .updated
        if let text = value("q") {
            guard text.count <= Self.maximumQuery, text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw Invalid(parameter: "q", value: shown(text), allowed: "a task id prefix of at most \(Self.maximumQuery) printable characters")
            }
            q = String(text)
        }
    }

    /// The catalog filter of this query; `extra` more rows than asked tell whether there is a next page.
    func filter(extra: Int = 1) -> TaskFilter {
        TaskFilter(scriptId: scriptId, verdict: verdict, state: assetState, kind: kind, taskIdPrefix: q, taskState: taskState,
                   sort: sort, limit: limit + extra, offset: offset)
    }
}
