/// A JSON document decoded without a schema, for reading upstream answers liberally.
///
/// Numbers are kept as `Double` (exact for integers up to 2^53, which covers every id and microsecond
/// duration this API sends). Unknown fields are simply never looked at.
public enum JSONValue: Sendable, Codable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Each type is tried in turn: a type mismatch is the answer "not this one", not an error to report.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// The member `key` of an object; `nil` for a missing key or when this is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// A string, or a number written without a fraction when it is integral (`200` and `200.0` give `"200"`).
    public var lenientString: String? {
        switch self {
        case .string(let value): return value
        case .number(let value):
            if let integer = Int64(exactly: value) { return String(integer) }
            return String(value)
        case .bool(let value): return String(value)
        default: return nil
        }
    }

    /// An integer from an integral number or a numeric string (`3`, `3.0`, `"3"`); `nil` otherwise.
    public var lenientInteger: Int64? {
        switch self {
        case .number(let value): return Int64(exactly: value)
        case .string(let text):
            let trimmed = text.trimmingWhitespace()
            if let integer = Int64(trimmed) { return integer }
            if let double = Double(trimmed), double.isFinite { return Int64(exactly: double) }
            return nil
        default: return nil
        }
    }

    /// A finite number, or a numeric string (`"1.5"`); `nil` otherwise.
    public var doubleValue: Double? {
        switch self {
        case .number(let value): return value.isFinite ? value : nil
        case .string(let text): return Double(text.trimmingWhitespace()).flatMap { $0.isFinite ? $0 : nil }
        default: return nil
        }
    }

    /// A number, or a numeric string, rounded to the nearest integer (`36096000.4` gives `36096000`).
    public var roundedInteger: Int64? {
        let double: Double?
        switch self {
        case .number(let value): double = value
        case .string(let text): double = Double(text.trimmingWhitespace())
        default: double = nil
        }
        guard let double, double.isFinite else { return nil }
        return Int64(exactly: double.rounded())
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
