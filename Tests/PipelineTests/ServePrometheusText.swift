import Foundation

/// A strict reader of the Prometheus text exposition format (0.0.4), for checking `/metrics`:
/// every line is blank, a comment, `# HELP name text`, `# TYPE name counter|gauge|histogram|summary|untyped`, or a
/// sample `name{label="value",…} value [timestamp]`. A family has at most one TYPE line, before its samples, and
/// its samples are contiguous; histogram buckets carry `le`, are cumulative and end with `+Inf` equal to `_count`.
struct PrometheusText: Sendable {
    struct Sample: Sendable, Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct FormatError: Error, CustomStringConvertible {
        let line: Int
        let text: String
        let reason: String
        var description: String { "line \(line) (\(text.debugDescription)): \(reason)" }
    }

    private(set) var types: [String: String] = [:]
    /// The `# HELP` text of each family that has one.
    private(set) var helps: [String: String] = [:]
    private(set) var samples: [Sample] = []

    init(parsing text: String) throws {
        var familyOrder: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).enumerated() {
            let fail = { (reason: String) in FormatError(line: number + 1, text: line, reason: reason) }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true).map(String.init)
                guard parts.first == "#" else { continue }
                if parts.count >= 2 && parts[1] == "TYPE" {
                    guard parts.count == 4, Self.isMetricName(parts[2]) else { throw fail("malformed TYPE line") }
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else { throw fail("unknown type \(parts[3])") }
                    guard types[parts[2]] == nil else { throw fail("second TYPE line for \(parts[2])") }
                    guard !samples.contains(where: { Self.family(of: $0.name, types: [parts[2]: parts[3]]) == parts[2] }) else {
                        throw fail("TYPE after samples of \(parts[2])")
                    }
                    types[parts[2]] = parts[3]
                } else if parts.count >= 2 && parts[1] == "HELP" {
                    guard parts.count >= 3, Self.isMetricName(parts[2]) else { throw fail("malformed HELP line") }
                    guard types[parts[2]] == nil else { throw fail("HELP after the TYPE of \(parts[2])") }
                    helps[parts[2]] = parts.count == 4 ? parts[3] : ""
                }
                continue
            }
            let sample = try Self.sample(line, fail: fail)
            let family = Self.family(of: sample.name, types: types)
            if let last = familyOrder.last, last != family, familyOrder.contains(family) {
                throw fail("samples of \(family) are not contiguous")
            }
            if familyOrder.last != family { familyOrder.append(family) }
            samples.append(sample)
        }
        try checkHistograms()
    }

    /// The sample value of `name` with exactly these labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every sample of `name`.
    func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    // MARK: - Reading

    private static func sample(_ line: String, fail: (String) -> FormatError) throws -> Sample {
        var rest = Substring(line)
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard isMetricName(String(name)) else { throw fail("bad metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                guard isLabelName(String(label)) else { throw fail("bad label name") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw fail("label \(label) without =\"") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let c = rest.first else { throw fail("unterminated label value") }
                    rest = rest.dropFirst()
                    if c == "\"" { break }
                    if c == "\\" {
                        guard let escaped = rest.first else { throw fail("dangling escape") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("bad escape \\\(escaped)")
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard labels[String(label)] == nil else { throw fail("label \(label) twice") }
                labels[String(label)] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("expected , or }") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("no space before the value") }
        let fields = rest.split(separator: " ")
        guard fields.count == 1 || fields.count == 2 else { throw fail("expected a value and an optional timestamp") }
        guard let value = number(fields[0]) else { throw fail("bad value \(fields[0])") }
        if fields.count == 2, Int64(fields[1]) == nil { throw fail("bad timestamp \(fields[1])") }
        return Sample(name: String(name), labels: labels, value: value)
    }

    private static func number(_ text: Substring) -> Double? {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }

    static func isMetricName(_ s: String) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    static func isLabelName(_ s: String) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// The family a sample belongs to: `x` for `x_bucket`/`x_sum`/`x_count` of a histogram or summary `x`.
    static func family(of name: String, types: [String: String]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let type = types[base], type == "histogram" || type == "summary" { return base }
        }
        return name
    }

    private func checkHistograms() throws {
        for (family, type) in types where type == "histogram" {
            var series: [[String: String]: [(le: Double, value: Double)]] = [:]
            for sample in all(family + "_bucket") {
                guard let le = sample.labels["le"].flatMap({ Self.number(Substring($0)) }) else {
                    throw FormatError(line: 0, text: sample.name, reason: "bucket without a numeric le")
                }
                var key = sample.labels
                key["le"] = nil
                series[key, default: []].append((le, sample.value))
            }
            for (labels, buckets) in series {
                let sorted = buckets.sorted { $0.le < $1.le }
                guard sorted.last?.le == .infinity else { throw FormatError(line: 0, text: family, reason: "no +Inf bucket for \(labels)") }
                for (a, b) in zip(sorted, sorted.dropFirst()) where b.value < a.value {
                    throw FormatError(line: 0, text: family, reason: "buckets not cumulative for \(labels)")
                }
                guard value(family + "_count", labels) == sorted.last?.value, value(family + "_sum", labels) != nil else {
                    throw FormatError(line: 0, text: family, reason: "_count/_sum missing or +Inf bucket != _count for \(labels)")
                }
            }
        }
    }
}
