/// The one rule for names that become a path component or a file name: task ids, job ids, kinds, staging names,
/// rendition presets, lease names. Only `[A-Za-z0-9._-]`, 1 to `maximumLength` bytes, not starting with `.` (so never
/// `.` or `..`): this refuses path separators, NUL and control characters, and every non-ASCII character (no Unicode
/// lookalikes or normalisation tricks) before anything touches the disk.
public enum SafeName {
    /// Why `raw` is not a safe name (`"empty"`, `"contains a path separator"`, …); `nil` when it is one.
    public static func problem(_ raw: String, maximumLength: Int) -> String? {
        let bytes = raw.utf8
        if bytes.isEmpty { return "empty" }
        if bytes.count > maximumLength { return "longer than \(maximumLength) bytes" }
        if raw == "." || raw == ".." { return "a relative directory name" }
        if bytes.first == UInt8(ascii: ".") { return "starts with '.'" }
        for byte in bytes where !isAllowed(byte) {
            switch byte {
            case UInt8(ascii: "/"), UInt8(ascii: "\\"): return "contains a path separator"
            case 0: return "contains NUL"
            case ..<0x20, 0x7F: return "contains a control character"
            case 0x80...: return "contains a non-ASCII character"
            default: return "contains a character outside A-Z a-z 0-9 . _ -"
            }
        }
        return nil
    }

    /// True when `raw` is a safe name of at most `maximumLength` bytes.
    public static func isSafe(_ raw: String, maximumLength: Int) -> Bool {
        problem(raw, maximumLength: maximumLength) == nil
    }

    /// The bytes a safe name is made of: `A-Z a-z 0-9 . _ -`.
    public static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
