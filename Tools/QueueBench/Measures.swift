import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Percentiles (nearest rank) of samples in milliseconds.
struct Percentiles: Codable, Sendable {
    var p50: Double
    var p95: Double
    var p99: Double
    var max: Double

    init(milliseconds samples: [Double]) {
        let sorted = samples.sorted()
        func rank(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let index = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
            return Self.rounded(sorted[min(sorted.count - 1, Swift.max(0, index))])
        }
        p50 = rank(50)
        p95 = rank(95)
        p99 = rank(99)
        max = Self.rounded(sorted.last ?? .nan)
    }

    static func rounded(_ value: Double, places: Double = 1000) -> Double { (value * places).rounded() / places }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    var seconds: Double { milliseconds / 1000 }
}

/// CPU time (user + system) of this process, from getrusage(2).
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}

/// CPU time of one PostgreSQL server (its postmaster, the children it reaped, and its live children), from /proc.
/// Backends that end are counted through the postmaster's `cutime`/`cstime`, so a client that disconnects is covered.
enum ServerCPU {
    static func seconds(postmaster: Int32) -> Double? {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard let main = stat(postmaster) else { return nil }
        var total = main.fields[11] + main.fields[12] + main.fields[13] + main.fields[14] // utime stime cutime cstime
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), pid != postmaster, let child = stat(pid), child.ppid == postmaster else { continue }
            total += child.fields[11] + child.fields[12]
        }
        return total / ticks
    }

    /// The fields after `(comm)` of /proc/PID/stat, from `state` (index 0); `ppid` is index 1.
    private static func stat(_ pid: Int32) -> (ppid: Int32, fields: [Double])? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ")
        guard rest.count > 15, let ppid = Int32(rest[1]) else { return nil }
        return (ppid, rest.map { Double($0) ?? 0 })
    }
}

/// Prints `value` as one JSON line on standard output.
func printJSONLine(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    emitLine(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Writes `line` and a newline to standard output at once (no stdio buffer: a parent reads it as it comes).
func emitLine(_ line: String) {
    var bytes = Array((line + "\n").utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if written < 0 { if errno == EINTR { continue } else { return } }
        bytes = bytes.dropFirst(written)
    }
}
