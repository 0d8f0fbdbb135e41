import Foundation

/// How a service wants the canonical request built. S3 is the exception among AWS services: it signs the path
/// as sent (encoded once, not normalized) and wants the payload hash in an `x-amz-content-sha256` header.
struct SigV4Style: Sendable, Equatable {
    /// Remove `.` and `..` segments and empty segments (`//`) from the path before signing.
    var normalizesPath: Bool
    /// URI-encode the (already encoded) path once more: `%20` is signed as `%2520`.
    var doubleEncodesPath: Bool
    /// Add and sign `x-amz-content-sha256: <payload hash>`.
    var signsContentSHA256Header: Bool

    /// Amazon S3 and S3-compatible stores.
    static let s3 = SigV4Style(normalizesPath: false, doubleEncodesPath: false, signsContentSHA256Header: true)
    /// Every other AWS service (and AWS's generic SigV4 test suite).
    static let generic = SigV4Style(normalizesPath: true, doubleEncodesPath: true, signsContentSHA256Header: false)
}

extension SigV4Signer {
    /// AWS's `UriEncode()`: RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) are kept, every other UTF-8
    /// byte becomes `%XX` with uppercase hex. `/` is kept unless `encodeSlash` (object-key paths keep it,
    /// query names and values do not).
    ///
    /// `uriEncode("photos/a b+c$.mp4", encodeSlash: false)` gives `photos/a%20b%2Bc%24.mp4`.
    public static func uriEncode(_ s: String, encodeSlash: Bool) -> String {
        uriEncode(bytes: Array(s.utf8), encodeSlash: encodeSlash)
    }

    static func uriEncode(bytes: [UInt8], encodeSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            if isUnreserved(byte) || (byte == UInt8(ascii: "/") && !encodeSlash) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// The bytes `%XX` sequences stand for; nil when a `%` is not followed by two hex digits.
    /// `+` stays `+` (this is a URI, not a form body).
    static func percentDecoded(_ s: Substring) -> [UInt8]? {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    // MARK: - The canonical request's parts

    /// The canonical URI of a path as it goes on the wire (percent-encoded, `/` when empty).
    ///
    /// S3 style: each segment is decoded and encoded again with ``uriEncode(_:encodeSlash:)``, which leaves a
    /// path built with that function unchanged and turns a looser encoding (`!`, `+`, `%2f`) into the one S3
    /// computes; segments are never merged or dropped. Generic style: dot segments and empty segments are
    /// removed, then the whole path is encoded once more.
    static func canonicalURI(percentEncodedPath: String, style: SigV4Style) -> String {
        var path = percentEncodedPath.isEmpty ? "/" : percentEncodedPath
        if style.normalizesPath { path = normalized(path) }
        if style.doubleEncodesPath { return uriEncode(path, encodeSlash: false) }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            // A malformed escape is left as sent: the server will reject the request whatever is signed.
            percentDecoded(segment).map { uriEncode(bytes: $0, encodeSlash: true) } ?? String(segment)
        }.joined(separator: "/")
    }

    /// `//a/./b/../c/` gives `/a/c/`: empty and `.` segments dropped, `..` removes the one before, a trailing
    /// slash kept.
    static func normalized(_ path: String) -> String {
        var kept: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            switch segment {
            case "", ".": continue
            case "..": _ = kept.popLast()
            default: kept.append(segment)
            }
        }
        let joined = "/" + kept.joined(separator: "/")
        return path.hasSuffix("/") && joined != "/" ? joined + "/" : joined
    }

    /// `name=value` pairs, each side decoded then encoded with ``uriEncode(_:encodeSlash:)`` (slashes too),
    /// sorted by name then value, joined with `&`. A parameter without `=` (`?lifecycle`) signs as `lifecycle=`.
    static func canonicalQuery(percentEncodedQuery: String?) -> String {
        guard let query = percentEncodedQuery, !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { item -> (name: String, value: String) in
            let name: Substring
            let value: Substring
            if let equals = item.firstIndex(of: "=") {
                name = item[..<equals]
                value = item[item.index(after: equals)...]
            } else {
                name = item
                value = ""
            }
            return (reencoded(name), reencoded(value))
        }
        return pairs.sorted { left, right in
            if left.name != right.name { return left.name.utf8.lexicographicallyPrecedes(right.name.utf8) }
            return left.value.utf8.lexicographicallyPrecedes(right.value.utf8)
        }.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    private static func reencoded(_ component: Substring) -> String {
        uriEncode(bytes: percentDecoded(component) ?? Array(component.utf8), encodeSlash: true)
    }

    /// Headers never signed: hop-by-hop or rewritten on the way (`connection`, `transfer-encoding`, `expect`,
    /// `user-agent`, `x-amzn-trace-id`) and `authorization` itself.
    static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "transfer-encoding", "user-agent", "x-amzn-trace-id",
    ]

    /// The canonical headers block (`name:value\n` each, sorted by lowercase name, repeated names joined with
    /// commas in the order given, values trimmed with runs of spaces and tabs collapsed to one space) and the
    /// `;`-joined signed header names.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (block: String, signed: String) {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (rawName, rawValue) in headers {
            let name = rawName.trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty, !unsignedHeaders.contains(name) else { continue }
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(collapsedValue(rawValue))
        }
        let names = order.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Leading and trailing whitespace removed; every run of spaces, tabs or line breaks (an unfolded
    /// multi-line value) becomes one space.
    static func collapsedValue(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for character in value {
            if character == " " || character == "\t" || character.isNewline {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(character)
            }
        }
        return out
    }
}
