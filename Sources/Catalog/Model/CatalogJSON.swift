import Foundation

/// The JSON coders for manifests and summaries, shared with the CLI so that `reel show --json` prints
/// exactly what the catalog stores.
///
/// Dates are written as ISO 8601 in UTC with milliseconds (`2025-01-31T08:15:00.250Z`), so a date
/// survives a save and load only to the millisecond. Reading accepts ISO 8601 with or without fractional
/// seconds, and a number of seconds since 1970.
public enum CatalogJSON {
    /// An encoder with sorted keys (stable diffs) and unescaped slashes; pretty-printed by default.
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty
            ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        return encoder
    }

    /// A liberal decoder: see the type's documentation for the date forms it accepts.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Double.self) {
                return Date(timeIntervalSince1970: seconds)
            }
            let text = try container.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date: \(text)")
            }
            return date
        }
        return decoder
    }

    /// Formats a date the way manifests store it.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Parses an ISO 8601 date with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}

extension KeyedDecodingContainer {
    /// An array that may be missing or `null`: both read as empty.
    func decodeList<T: Decodable>(_ type: [T].Type, forKey key: Key) throws -> [T] {
        try decodeIfPresent(type, forKey: key) ?? []
    }
}
