/// A numeric setting's syntax and allowed range: one parser for every flag and environment variable, so that
/// every command reads numbers the same way and no user number ever reaches arithmetic unchecked.
///
/// - Counts are decimal integers: ASCII digits only (no sign, no `0x`, no `_`, no exponent); a number too large
///   for `Int` is out of range, never an overflow.
/// - Decimal values (seconds, rates) are ASCII digits with at most one `.` (`5`, `0.5`, `.5`, `5.`): no sign,
///   no exponent, no hex, no `inf` or `nan`.
///
/// ```swift
/// let workers = NumericSetting.count(1...64)
/// try workers.parse("8")        // 8
/// try workers.parse("0x10")     // throws: "a decimal integer from 1 to 64"
/// ```
public struct NumericSetting<Value: Comparable & Sendable>: Sendable {
    /// The allowed values, inclusive.
    public let range: ClosedRange<Value>
    /// What a valid value looks like, for messages and `--help`: `a decimal integer from 1 to 64`.
    public let expected: String
    /// The range as `--help` and the README show it: `1…64`, `0.1…86400 s`.
    public let rangeText: String
    private let read: @Sendable (Substring) -> Value?

    private init(range: ClosedRange<Value>, expected: String, rangeText: String, read: @escaping @Sendable (Substring) -> Value?) {
        self.range = range
        self.expected = expected
        self.rangeText = rangeText
        self.read = read
    }

    /// The value of `text` (surrounding spaces ignored), or a ``SettingError`` saying what was expected.
    public func parse(_ text: some StringProtocol) throws(SettingError) -> Value {
        let trimmed = Substring(text).trimmingASCIISpaces()
        guard let value = read(trimmed), range.contains(value) else {
            throw SettingError(value: String(text), expected: expected)
        }
        return value
    }
}

extension NumericSetting where Value == Int {
    /// A count: a decimal integer in `range`.
    public static func count(_ range: ClosedRange<Int>, unit: String = "") -> NumericSetting<Int> {
        let suffix = unit.isEmpty ? "" : " " + unit
        return NumericSetting(range: range, expected: "a decimal integer from \(range.lowerBound) to \(range.upperBound)\(suffix)",
                              rangeText: "\(range.lowerBound)…\(range.upperBound)\(suffix)", read: DecimalText.integer)
    }
}

extension NumericSetting where Value == Int64 {
    /// A 64-bit count (microseconds, mebibytes): a decimal integer in `range`.
    public static func count64(_ range: ClosedRange<Int64>, unit: String = "") -> NumericSetting<Int64> {
        let suffix = unit.isEmpty ? "" : " " + unit
        return NumericSetting(range: range, expected: "a decimal integer from \(range.lowerBound) to \(range.upperBound)\(suffix)",
                              rangeText: "\(range.lowerBound)…\(range.upperBound)\(suffix)",
                              read: { DecimalText.integer($0).map(Int64.init) })
    }
}

extension NumericSetting where Value == Double {
    /// Decimal seconds in `range` (a finite range: the value always converts to a `Duration`).
    public static func seconds(_ range: ClosedRange<Double>) -> NumericSetting<Double> {
        precondition(range.lowerBound >= 0 && range.upperBound <= 1e12, "seconds convert to a Duration in milliseconds")
        return decimal(range, unit: "s", noun: "decimal seconds")
    }

    /// A decimal number in `range` (a rate, a fraction), written with digits and at most one `.`.
    public static func decimal(_ range: ClosedRange<Double>, unit: String = "", noun: String = "a decimal number") -> NumericSetting<Double> {
        precondition(range.lowerBound.isFinite && range.upperBound.isFinite, "a decimal setting has a finite range")
        let suffix = unit.isEmpty ? "" : " " + unit
        let low = DecimalText.format(range.lowerBound), high = DecimalText.format(range.upperBound)
        return NumericSetting(range: range, expected: "\(noun) from \(low) to \(high)", rangeText: "\(low)…\(high)\(suffix)",
                              read: DecimalText.decimal)
    }
}

extension NumericSetting where Value == Double {
    /// The value as a `Duration` (for ``seconds(_:)`` settings).
    public func duration(_ text: some StringProtocol) throws(SettingError) -> Duration {
        .milliseconds(Int64((try parse(text) * 1000).rounded()))
    }
}

/// A value that does not fit its setting: what it was and what was expected. `description` is the part a
/// command puts after the setting's name: `must be a decimal integer from 1 to 64 (got '0x10')`.
public struct SettingError: Error, Equatable, CustomStringConvertible {
    public let value: String
    public let expected: String

    public init(value: String, expected: String) {
        self.value = value
        self.expected = expected
    }

    public var description: String { "must be \(expected) (got '\(SafeText.escape(value, limit: 64))')" }

    /// The whole message for a named setting: `REEL_WORKERS must be a decimal integer from 1 to 64 (got '0x10')`.
    public func message(for name: String) -> String { "\(name) \(description)" }
}

/// The strict decimal syntax behind ``NumericSetting``.
enum DecimalText {
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// ASCII digits only; nil for anything else, and for a value past `Int.max` (never an overflow trap).
    static func integer(_ text: Substring) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy(isDigit) else { return nil }
        var value = 0
        for byte in bytes {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - 0x30))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    /// ASCII digits with at most one `.` and at least one digit; nil otherwise (and for a non-finite result).
    static func decimal(_ text: Substring) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: isDigit), bytes.allSatisfy({ isDigit($0) || $0 == 0x2E }),
              bytes.filter({ $0 == 0x2E }).count <= 1, bytes.count <= 64,
              let value = Double(String(text)), value.isFinite else { return nil }
        return value
    }

    /// `5` for whole numbers, `0.1` otherwise.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension Substring {
    func trimmingASCIISpaces() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return s
    }
}
