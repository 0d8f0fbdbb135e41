import Foundation

/// The body TopView POSTs to a task's `noticeUrl` when the task finishes.
///
/// Not trusted data: a receiver should re-query the task. `uuid` and `taskId` are required non-empty
/// strings; `bizType`, `status` and `errorMsg` are strings or null (a number is accepted as text);
/// `result` is an object, a JSON string containing an object, or null. Unknown fields are ignored.
public struct CallbackNotice: Sendable, Decodable, Equatable {
    public var uuid: String
    public var bizType: String?
    public var taskId: String
    public var status: String?
    public var errorMsg: String?
    public var result: JSONValue?

    public init(
        uuid: String,
        bizType: String? = nil,
        taskId: String,
        status: String? = nil,
        errorMsg: String? = nil,
        result: JSONValue? = nil
    ) {
        self.uuid = uuid
        self.bizType = bizType
        self.taskId = taskId
        self.status = status
        self.errorMsg = errorMsg
        self.result = result
    }

    /// The default cap on a callback body: 1 MiB.
    public static let defaultMaxBytes = 1 << 20

    /// Decodes a callback body, refusing bodies over `maxBytes` before parsing them.
    public static func decode(
        _ bytes: some Collection<UInt8>,
        maxBytes: Int = defaultMaxBytes
    ) throws(CallbackError) -> CallbackNotice {
        guard bytes.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw .notJSON
        }
        return try CallbackNotice(json: json)
    }

    /// Reads a callback from an already parsed body.
    public init(json: JSONValue) throws(CallbackError) {
        guard let object = json.objectValue else { throw .notAnObject }
        uuid = try Self.required("uuid", in: object)
        taskId = try Self.required("taskId", in: object)
        bizType = try Self.optionalText("bizType", in: object)
        status = try Self.optionalText("status", in: object)
        errorMsg = try Self.optionalText("errorMsg", in: object)
        result = try Self.result(object["result"])
    }

    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        do {
            try self.init(json: json)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    private static func required(_ name: String, in object: [String: JSONValue]) throws(CallbackError) -> String {
        switch object[name] {
        case nil, .null?:
            throw .missingField(name)
        case .string(let text)?:
            guard !text.isEmpty else { throw .missingField(name) }
            return text
        default:
            throw .wrongType(field: name, expected: "a string")
        }
    }

    private static func optionalText(_ name: String, in object: [String: JSONValue]) throws(CallbackError) -> String? {
        switch object[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number?, .bool?: return object[name]?.lenientString
        default: throw .wrongType(field: name, expected: "a string or null")
        }
    }

    private static func result(_ value: JSONValue?) throws(CallbackError) -> JSONValue? {
        switch value {
        case nil, .null?:
            return nil
        case .object?:
            return value
        case .string(let text)?:
            if text.trimmingWhitespace().isEmpty { return nil }
            guard let parsed = try? JSONValue.parse(Array(text.utf8)), parsed.objectValue != nil else {
                throw .wrongType(field: "result", expected: "an object or a JSON string containing an object")
            }
            return parsed
        default:
            throw .wrongType(field: "result", expected: "an object or a JSON string containing an object")
        }
    }
}
