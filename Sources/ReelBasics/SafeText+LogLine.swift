extension SafeText {
    /// A last pass over text bound for one log line: control and invisible characters escaped as ``escape(_:limit:)``
    /// does, but backslashes left alone, so text already escaped at its source is not escaped twice (the pass is
    /// idempotent), and cut at `limit` characters with `…`. One forged line can never pass for two.
    public static func neutralize(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
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
}
