/// A request path decoded and normalised **once**, before routing and before any guard: every later step sees the
/// same segments the router matched, so no check can be passed by encoding (`/%66iles/…`, `/files%2f…`).
///
/// Rules: the path is absolute; `%XX` escapes are decoded once (a malformed escape refuses the path); a decoded
/// segment may not contain `/` (an encoded `%2F` stays inside its segment and is refused), `\`, `%`, `?`, `#`, NUL or
/// any control character, and must be valid UTF-8; empty segments (`//`) and `.` are dropped; `..` removes the
/// segment before it and never climbs above the root. The result contains only characters the router can take
/// literally, so it is never decoded again.
struct RequestPath: Equatable, Sendable {
    let segments: [String]

    var string: String { "/" + segments.joined(separator: "/") }

    init?(_ raw: Substring) {
        guard raw.first == "/" else { return nil }
        var segments: [String] = []
        for encoded in raw.split(separator: "/", omittingEmptySubsequences: true) {
            guard let segment = Self.decode(encoded) else { return nil }
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        self.segments = segments
    }

    /// Percent-decodes one segment; nil when an escape is malformed, the bytes are not UTF-8 or a forbidden
    /// character appears (decoded or literal).
    static func decode(_ encoded: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.utf8.count)
        var iterator = encoded.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        for byte in bytes where byte < 0x20 || byte == 0x7F || forbidden.contains(byte) { return nil }
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        return text
    }

    static let forbidden: Set<UInt8> = Set("/\\%?#".utf8)

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
