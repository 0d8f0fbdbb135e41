/// Untrusted text (upstream fields, callback bodies, request paths, ids) made safe for a log line, a terminal or a
/// human report: control characters and other invisible code points are escaped Swift-style (`\n`, `\t`, `\0`,
/// `\u{1b}` …), a backslash is doubled, and the result is cut at `limit` characters with `…`. The same whether or
/// not the output is a terminal, so one forged line can never pass for two.
public enum SafeText {
    /// The default length of a value in logs and human output.
    public static let defaultLimit = 256

    public static func escape(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
        escape(text, limit: limit, backslashes: true)
    }

    /// The one loop behind ``escape(_:limit:)`` and ``neutralize(_:limit:)``.
    static func escape(_ text: some StringProtocol, limit: Int, backslashes: Bool) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "…"
                return out
            }
            count += 1
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case "\\" where backslashes: out += "\\\\"
            default:
                if needsEscape(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// C0/C1 controls, DEL, line/paragraph separators, bidi overrides and other format characters (which can reorder
    /// or hide what a terminal shows).
    static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 || (0x7F...0x9F).contains(v) { return true }
        switch s.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse: return true
        default: return false
        }
    }
}
