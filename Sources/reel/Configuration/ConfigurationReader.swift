import Foundation
import Logging
import ReelBasics
import TopView

/// The process environment as settings, read once (hummingbird's `ConfigReader` in small): an empty or blank
/// variable counts as unset, a flag given on the command line wins over its variable, and a value that does not fit
/// throws a ``ConfigurationError`` naming the flag or the variable it came from.
///
/// Every `REEL_*` and `TOPVIEW_*` variable is read through one reader, by the part of ``ReelConfiguration`` that
/// owns it; nothing else in `reel` looks at the environment.
struct ConfigurationReader: Sendable {
    let values: [String: String]

    init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The variable's text, nil when unset or blank.
    func text(_ name: String) -> String? {
        guard let value = values[name], !value.allSatisfy({ $0 == " " || $0 == "\t" }) else { return nil }
        return value
    }

    /// The flag's text when given (and not empty), else the variable's.
    func text(_ name: String, flag: String?) -> String? {
        flag.flatMap { $0.isEmpty ? nil : $0 } ?? text(name)
    }

    /// The flag's value when given (parsed and checked by ArgumentParser with the same `setting`), else the variable
    /// parsed by `setting`; nil when neither is set.
    func number<Value>(_ name: String, _ setting: NumericSetting<Value>, flag: Value? = nil) throws(ConfigurationError) -> Value? {
        if let flag { return flag }
        guard let text = text(name) else { return nil }
        do { return try setting.parse(text) } catch { throw .invalid(name, error) }
    }

    /// A seconds setting as a `Duration` (to the millisecond); nil when unset.
    func duration(_ name: String, _ setting: NumericSetting<Double>, flag: Double? = nil) throws(ConfigurationError) -> Duration? {
        try number(name, setting, flag: flag).map { .milliseconds(Int64(($0 * 1000).rounded())) }
    }

    /// An on/off variable: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off` (any case); `flag` (a `--switch`)
    /// turns it on; false when unset.
    func bool(_ name: String, flag: Bool = false) throws(ConfigurationError) -> Bool {
        if flag { return true }
        guard let text = text(name) else { return false }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw .invalid(name, mustBe: "1 or 0", got: text)
        }
    }

    /// A list variable: comma-separated, each item trimmed, empty items dropped; empty when unset.
    func list(_ name: String) -> [String] {
        text(name).map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } ?? []
    }

    /// A URL from its flag or variable, checked by ``OutboundURL``; nil when unset. The message names the flag when
    /// the value came from it, and never shows the URL's query (it may hold a token).
    func url(_ name: String, flagName: String, flag: String?, policy: OutboundURL.Policy) throws(ConfigurationError) -> String? {
        guard let value = text(name, flag: flag) else { return nil }
        if let problem = OutboundURL.problem(value, policy: policy) {
            let setting = flag.flatMap { $0.isEmpty ? nil : $0 } == nil ? name : flagName
            throw .refused(setting, "\(problem) (got '\(SafeText.escape(redactedURL(value), limit: 128))')")
        }
        return value
    }

    /// `REEL_LOG_LEVEL`: one of swift-log's level names; nil when unset.
    func logLevel() throws(ConfigurationError) -> Logger.Level? {
        guard let text = text("REEL_LOG_LEVEL") else { return nil }
        guard let level = Logger.Level(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw .invalid("REEL_LOG_LEVEL", mustBe: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "), got: text)
        }
        return level
    }

    /// `REEL_FAILPOINT`: `name[@N][,…]`, each point with the hit on which it fires (`name`: the first; a missing or
    /// bad N counts as 1); empty when unset. Never an error: it is a test hook (``Failpoint``, `Tools/killloop.sh`).
    func failpoints() -> [String: Int] {
        guard let value = text("REEL_FAILPOINT") else { return [:] }
        var points: [String: Int] = [:]
        for item in value.split(separator: ",") {
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "@", maxSplits: 1)
            guard let name = parts.first else { continue }
            points[String(name)] = parts.count == 2 ? max(1, Int(parts[1]) ?? 1) : 1
        }
        return points
    }
}
