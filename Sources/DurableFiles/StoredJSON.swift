import Foundation

/// The JSON of every file on the storage root (manifests, job files, `watch.json`, sidecars) and of what the CLI and
/// the server print: sorted keys (stable diffs), unescaped slashes, pretty by default, dates as ISO-8601 UTC with
/// milliseconds (`2025-06-15T14:40:00.125Z`). Reading also accepts whole-second dates, other offsets and a number of
/// seconds since 1970.
///
/// Dates are kept to whole milliseconds (``StoredJSON/milliseconds(_:)``): a date the queue or the watch list makes
/// is rounded so, which makes a value read back equal (`==`) to the value written.
public enum StoredJSON {
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

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Double.self) {
                return Date(timeIntervalSince1970: seconds)
            }
            let text = try container.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 date: \(text)")
            }
            return date
        }
        return decoder
    }

    /// `date` rounded to the nearest millisecond: the value it has once stored and read back.
    public static func milliseconds(_ date: Date) -> Date {
        fromMilliseconds(toMilliseconds(date))
    }

    /// Now, to the millisecond.
    public static func now() -> Date { milliseconds(Date()) }

    public static func format(_ date: Date) -> String {
        let ms = toMilliseconds(date)
        let seconds = ms.quotientAndRemainder(dividingBy: 1000)
        let whole = seconds.remainder < 0 ? seconds.quotient - 1 : seconds.quotient
        let fraction = seconds.remainder < 0 ? seconds.remainder + 1000 : seconds.remainder
        let base = Date(timeIntervalSince1970: Double(whole)).formatted(.iso8601) // yyyy-MM-ddTHH:mm:ssZ
        let digits = String(fraction)
        return base.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Reads what ``format(_:)`` writes, and also whole-second dates and other ISO-8601 offsets.
    public static func parse(_ text: String) -> Date? {
        var base = text
        var fraction = 0
        if let dot = text.firstIndex(of: ".") {
            let rest = text[text.index(after: dot)...]
            let digits = rest.prefix(while: \.isNumber)
            guard !digits.isEmpty else { return nil }
            let padded = (digits + "000").prefix(3)
            fraction = Int(padded) ?? 0
            base = String(text[..<dot]) + rest.dropFirst(digits.count)
        }
        guard let whole = try? Date(base, strategy: .iso8601) else { return nil }
        return fromMilliseconds(Int64(whole.timeIntervalSince1970.rounded()) * 1000 + Int64(fraction))
    }

    private static func toMilliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func fromMilliseconds(_ ms: Int64) -> Date {
        Date(timeIntervalSince1970: Double(ms) / 1000)
    }
}
