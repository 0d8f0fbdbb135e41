import Foundation

extension JSONValue {
    /// Parses a complete JSON document. Throws Foundation's `DecodingError` for anything that is not JSON.
    public static func parse(_ bytes: some Sequence<UInt8>) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Parses `bytes` when they look like a JSON object or array; `nil` for empty or non-JSON bodies
    /// (an HTML error page, a plain-text proxy message).
    static func parseIfJSON(_ bytes: [UInt8]) -> JSONValue? {
        guard let first = bytes.first(where: { !Self.isJSONWhitespace($0) }),
              first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return nil }
        return try? parse(bytes)
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
