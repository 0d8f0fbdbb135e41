/// The result shapes the kinds beyond M2V share (`../shared/reference/topview-kinds.md`): one output at a field
/// (`outputVideoUrl`, `voice.demoAudioUrl`), or a list of outputs (`videos[]`, `images[]`) each with its own status.
/// Liberal as ``TaskResultReader``: fields may be null or missing, statuses any case, unknown fields ignored.
enum KindResult {
    /// The unit of a reported duration.
    enum Unit: Sendable {
        case microseconds, milliseconds, seconds
        /// Reported without a documented unit: kept as written, never checked.
        case unknown
    }

    /// Where one output of a single-output kind is.
    struct Single: Sendable {
        var role: String
        /// The path of the media URL (`["voice", "demoAudioUrl"]`).
        var media: [String]
        var cover: [String]? = nil
        var duration: (path: [String], unit: Unit)? = nil
    }

    /// A task with one output, at index 0; the output takes the task's status.
    static func single(_ result: JSONValue, kind: String, _ shape: Single) throws(TopViewError) -> TaskSnapshot {
        let object = try TaskResultReader.object(result, kind: kind)
        let status = taskStatus(object)
        let duration = shape.duration.map { reported(value(object, $0.path), unit: $0.unit) }
        let item = VideoItem(scriptId: 0, role: shape.role, status: status, videoURL: TaskResultReader.url(value(object, shape.media)),
                             coverURL: shape.cover.flatMap { TaskResultReader.url(value(object, $0)) },
                             reportedDurationUs: duration?.micros, reportedDurationRaw: duration?.raw)
        return TaskSnapshot(taskId: try TaskResultReader.taskId(object, kind: kind), kind: kind, status: status,
                            errorMsg: error(object), items: [item])
    }

    /// Where the outputs of a list kind are.
    struct List: Sendable {
        var role: String
        /// The array fields to read, the first present one wins (`["replaceProductResult", "productReplaceResult"]`).
        var fields: [String]
        /// The URL field of each entry.
        var url: [String] = ["filePath"]
        var duration: (key: String, unit: Unit)? = nil
    }

    /// A task with a list of outputs, each at its position; an entry without a status takes the task's.
    static func list(_ result: JSONValue, kind: String, _ shape: List) throws(TopViewError) -> TaskSnapshot {
        let object = try TaskResultReader.object(result, kind: kind)
        let status = taskStatus(object)
        let field = shape.fields.first { object[$0].map { !$0.isNull } ?? false } ?? shape.fields[0]
        let items = try TaskResultReader.items(object[field], role: shape.role, field: field, kind: kind) { entry, role, index in
            let duration = shape.duration.map { reported(entry[$0.key], unit: $0.unit) }
            return VideoItem(scriptId: index, role: role, status: TaskResultReader.text(entry["status"]) ?? status,
                             videoURL: shape.url.lazy.compactMap { TaskResultReader.url(entry[$0]) }.first,
                             reportedDurationUs: duration?.micros, reportedDurationRaw: duration?.raw, errorMsg: error(entry))
        }
        return TaskSnapshot(taskId: try TaskResultReader.taskId(object, kind: kind), kind: kind, status: status,
                            errorMsg: error(object), items: items)
    }

    /// `status`, or `taskStatus` (older product-avatar endpoints).
    static func taskStatus(_ object: [String: JSONValue]) -> String? {
        TaskResultReader.text(object["status"]) ?? TaskResultReader.text(object["taskStatus"])
    }

    /// `errorMsg`, else `errorMessage`, with `errorCode` when there is one.
    static func error(_ object: [String: JSONValue]) -> String? {
        let message = [object["errorMsg"], object["errorMessage"]].lazy.compactMap { TaskResultReader.text($0) }.first { !$0.isEmpty }
        let code = TaskResultReader.text(object["errorCode"]).flatMap { $0.isEmpty || $0 == "0" ? nil : $0 }
        switch (message, code) {
        case let (message?, code?): return "\(message) (error code \(code))"
        case let (message?, nil): return message
        case let (nil, code?): return "error code \(code)"
        case (nil, nil): return nil
        }
    }

    /// The value at `path` of nested objects.
    static func value(_ object: [String: JSONValue], _ path: [String]) -> JSONValue? {
        var current: JSONValue? = .object(object)
        for key in path { current = current?.objectValue?[key] }
        return current
    }

    /// A reported duration: in microseconds when its unit is known, as written otherwise.
    static func reported(_ value: JSONValue?, unit: Unit) -> (micros: Int64?, raw: String?) {
        guard let value, !value.isNull else { return (nil, nil) }
        let scale: Double
        switch unit {
        case .microseconds: scale = 1
        case .milliseconds: scale = 1_000
        case .seconds: scale = 1_000_000
        case .unknown: return (nil, TaskResultReader.text(value))
        }
        guard let number = value.doubleValue, number >= 0, (number * scale).isFinite else { return (nil, TaskResultReader.text(value)) }
        return (Int64(exactly: (number * scale).rounded()), nil)
    }
}
