/// A TopView task id that is safe to use as one path component of the catalog.
///
/// Only `[A-Za-z0-9._-]`, 1 to 128 bytes, never `.` or `..` or a leading `.`: this refuses path
/// separators, NUL and control characters, and every non-ASCII character (so no Unicode lookalikes or
/// normalisation tricks) before anything touches the disk.
public struct TaskID: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The most bytes a task id may have.
    public static let maximumLength = 128

    public let rawValue: String

    public init(validating raw: String) throws(CatalogError) {
        try SafeName.check(raw, maximumLength: Self.maximumLength) { why throws(CatalogError) in
            throw CatalogError.unsafeTaskID(raw, why)
        }
        self.rawValue = raw
    }

    public var description: String { rawValue }

    public static func < (lhs: TaskID, rhs: TaskID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            try self.init(validating: raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The rule shared by task ids, staging file names and rendition presets: one safe path component.
enum SafeName {
    /// Calls `refuse` with the reason when `raw` is not a safe single path component.
    static func check(
        _ raw: String,
        maximumLength: Int,
        refuse: (String) throws(CatalogError) -> Void
    ) throws(CatalogError) {
        let bytes = raw.utf8
        if bytes.isEmpty { try refuse("empty") }
        if bytes.count > maximumLength { try refuse("longer than \(maximumLength) bytes") }
        if raw == "." || raw == ".." { try refuse("a relative directory name") }
        if bytes.first == UInt8(ascii: ".") { try refuse("starts with '.'") }
        for byte in bytes where !isAllowed(byte) {
            switch byte {
            case UInt8(ascii: "/"), UInt8(ascii: "\\"): try refuse("contains a path separator")
            case 0: try refuse("contains NUL")
            case ..<0x20, 0x7F: try refuse("contains a control character")
            case 0x80...: try refuse("contains a non-ASCII character")
            default: try refuse("contains a character outside A-Z a-z 0-9 . _ -")
            }
        }
    }

    /// True when `raw` passes ``check(_:maximumLength:refuse:)``.
    static func isSafe(_ raw: String, maximumLength: Int = 128) -> Bool {
        do {
            try check(raw, maximumLength: maximumLength) { _ throws(CatalogError) in throw CatalogError.unsafePath }
            return true
        } catch {
            return false
        }
    }

    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
