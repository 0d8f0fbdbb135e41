import Catalog
import Hummingbird
import HummingbirdCore
import TopView

/// The query of `/api/tasks`, validated: a known parameter with a bad value is refused (400 naming the parameter
/// and what it takes); unknown parameters are ignored.
struct TaskListQuery: Equatable {
    var limit: Int
    var offset: Int
    var scriptId: Int?
    var verdict: String?
    var state: String?
    var kind: String?

    static let verdicts = ["match", "mismatch", "unreported", "undecodable"]
    static let states = ["pending", "archived", "failed", "absent"]
    static let maximumLimit = 1000
    static let maximumOffset = 1_000_000_000

    struct Invalid: Error, Equatable {
        let message: String
    }

    init(_ parameters: FlatDictionary<Substring, Substring>, defaultLimit: Int) throws(Invalid) {
        func integer(_ name: String, _ range: ClosedRange<Int>) throws(Invalid) -> Int? {
            guard let text = parameters[name[...]] else { return nil }
            guard !text.isEmpty, text.count <= 10, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text),
                  range.contains(value) else {
                throw Invalid(message: "\(name) must be a decimal integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        func oneOf(_ name: String, _ allowed: [String]) throws(Invalid) -> String? {
            guard let text = parameters[name[...]] else { return nil }
            guard allowed.contains(String(text)) else {
                throw Invalid(message: "\(name) must be one of: \(allowed.joined(separator: ", "))")
            }
            return String(text)
        }
        limit = try integer("limit", 1...Self.maximumLimit) ?? min(defaultLimit, Self.maximumLimit)
        offset = try integer("offset", 0...Self.maximumOffset) ?? 0
        scriptId = try integer("script", 0...Int(Int32.max))
        verdict = try oneOf("verdict", Self.verdicts)
        state = try oneOf("state", Self.states)
        kind = try oneOf("kind", TaskKinds.names)
    }

    func filter() -> TaskFilter {
        TaskFilter(scriptId: scriptId, verdict: verdict, state: state, kind: kind, limit: limit + 1, offset: offset)
    }
}
