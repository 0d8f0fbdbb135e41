/// Liberal readers shared by the task kinds: any field may be null, numbers may come as strings,
/// unknown fields are ignored, and only a result that cannot identify its task is refused.
enum TaskResultReader {
    /// The result object, or `invalidResult`.
    static func object(_ result: JSONValue, kind: String) throws(TopViewError) -> [String: JSONValue] {
        guard let object = result.objectValue else {
            throw .invalidResult("\(kind) result is not a JSON object")
        }
        return object
    }

    /// The task id as a non-empty string (a number is accepted and written in decimal).
    static func taskId(_ object: [String: JSONValue], kind: String) throws(TopViewError) -> String {
        guard let taskId = object["taskId"]?.lenientString, !taskId.isEmpty else {
            throw .invalidResult("\(kind) result has no taskId")
        }
        return taskId
    }

    /// A text field: a string, a number or a bool written as text; `nil` for null, missing or structured values.
    static func text(_ value: JSONValue?) -> String? {
        value?.lenientString
    }

    /// A URL field: a non-empty string after trimming, else `nil`.
    static func url(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }

    /// A duration in microseconds from a number (integer or fraction, rounded) or a numeric string;
    /// `nil` for null, negative or unreadable values.
    static func microseconds(_ value: JSONValue?) -> Int64? {
        guard let micros = value?.roundedInteger, micros >= 0 else { return nil }
        return micros
    }

    /// The items of one array field, all with `role`.
    ///
    /// A missing or null array gives no items; an array entry that is not an object is skipped.
    /// `scriptId` is read from an integral number or a numeric string. An item without a usable
    /// `scriptId` gets its index in the array when no other item of the array claims that id,
    /// otherwise the smallest non-negative id not claimed in the array, so (scriptId, role) stays unique
    /// for such items and the choice is the same on every query while the upstream keeps its order.
    static func items(
        _ value: JSONValue?,
        role: String,
        field: String,
        kind: String,
        read: (_ object: [String: JSONValue], _ role: String, _ scriptId: Int) -> VideoItem
    ) throws(TopViewError) -> [VideoItem] {
        guard let value, !value.isNull else { return [] }
        guard let entries = value.arrayValue else {
            throw .invalidResult("\(kind) result field \(field) is not an array")
        }
        let objects: [(index: Int, object: [String: JSONValue])] = entries.enumerated().compactMap { index, entry in
            entry.objectValue.map { (index, $0) }
        }
        let explicit: [Int?] = objects.map { entry in
            entry.object["scriptId"]?.lenientInteger.flatMap { Int(exactly: $0) }
        }
        var claimed = Set(explicit.compactMap { $0 })
        var items: [VideoItem] = []
        items.reserveCapacity(objects.count)
        for (position, entry) in objects.enumerated() {
            let scriptId: Int
            if let id = explicit[position] {
                scriptId = id
            } else {
                var candidate = entry.index
                if claimed.contains(candidate) {
                    candidate = 0
                    while claimed.contains(candidate) { candidate += 1 }
                }
                claimed.insert(candidate)
                scriptId = candidate
            }
            items.append(read(entry.object, role, scriptId))
        }
        return items
    }
}
