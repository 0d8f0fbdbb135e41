/// What a `Range` header asks of a file of `size` bytes (RFC 9110 §14).
enum ByteRangeRequest: Equatable, Sendable {
    /// No usable `Range` (absent, another unit, or malformed: a server ignores those): the whole file, 200.
    case whole
    /// One or more satisfiable ranges (inclusive bounds, sorted, overlaps merged).
    case ranges([ClosedRange<Int64>])
    /// Not one range overlaps the file (or `bytes=-0`): 416 with `Content-Range: bytes */SIZE`.
    case unsatisfiable

    /// More ranges than this (after merging) are answered with the whole file (200): cheaper than a multipart
    /// body of slivers, and what RFC 9110 allows.
    static let maximumParts = 16

    init(header: String?, size: Int64) {
        guard let header else { self = .whole; return }
        let trimmed = header[...].trimmingASCIISpaces()
        guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "bytes=" else { self = .whole; return }
        var satisfiable: [ClosedRange<Int64>] = []
        for spec in trimmed.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false) {
            let spec = spec.trimmingASCIISpaces()
            guard let dash = spec.firstIndex(of: "-") else { self = .whole; return }
            let first = spec[..<dash], last = spec[spec.index(after: dash)...]
            if first.isEmpty {
                // suffix-range: the last N bytes
                guard let n = Self.number(last) else { self = .whole; return }
                if n > 0 && size > 0 { satisfiable.append(max(0, size - n)...(size - 1)) }
            } else {
                guard let start = Self.number(first) else { self = .whole; return }
                var end = size - 1
                if !last.isEmpty {
                    guard let e = Self.number(last), e >= start else { self = .whole; return }
                    end = min(e, size - 1)
                }
                if start < size { satisfiable.append(start...end) }
            }
        }
        guard !satisfiable.isEmpty else { self = .unsatisfiable; return }
        let merged = Self.merge(satisfiable)
        self = merged.count > Self.maximumParts ? .whole : .ranges(merged)
    }

    /// Decimal digits only, no sign, and no overflow (a larger number than Int64 is simply "very large").
    static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        var value: Int64 = 0
        for digit in text.utf8 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            if o1 || o2 { return Int64.max }
            value = plus
        }
        return value
    }

    /// Sorted, with overlapping or adjacent ranges joined.
    static func merge(_ ranges: [ClosedRange<Int64>]) -> [ClosedRange<Int64>] {
        var result: [ClosedRange<Int64>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound <= last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }
}

extension Substring {
    func trimmingASCIISpaces() -> Substring {
        let s = self
        guard let start = s.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return s[s.endIndex...] }
        let end = s.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return s[start...end]
    }
}
