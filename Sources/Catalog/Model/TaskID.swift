import ReelBasics

/// A TopView task id that is safe to use as one path component of the catalog.
///
/// Only `[A-Za-z0-9._-]`, 1 to 128 bytes, never `.` or `..` or a leading `.` (``SafeName``): this refuses path
/// separators, NUL and control characters, and every non-ASCII character (so no Unicode lookalikes or
/// normalisation tricks) before anything touches the disk.
public struct TaskID: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The most bytes a task id may have.
    public static let maximumLength = 128

    public let rawValue: String

    public init(validating raw: String) throws(CatalogError) {
        if let why = SafeName.problem(raw, maximumLength: Self.maximumLength) { throw CatalogError.unsafeTaskID(raw, why) }
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
