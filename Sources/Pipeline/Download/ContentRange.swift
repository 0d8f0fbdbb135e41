/// A `Content-Range: bytes START-END/TOTAL` (or `bytes */TOTAL`) header (RFC 9110 §14.4).
struct ContentRange: Equatable, CustomStringConvertible {
    let start: Int64
    let end: Int64?
    let total: Int64?

    init?(_ header: String) {
        guard header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        total = parts[1] == "*" ? nil : Int64(parts[1])
        if parts[1] != "*" && total == nil { return nil }
        if parts[0] == "*" {
            start = -1
            end = nil
            return
        }
        let bounds = parts[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]), start >= 0, end >= start else { return nil }
        if let total, end >= total { return nil }
        self.start = start
        self.end = end
    }

    var description: String {
        let span = start < 0 ? "*" : "\(start)-\(end.map(String.init) ?? "")"
        return "bytes \(span)/\(total.map(String.init) ?? "*")"
    }
}
