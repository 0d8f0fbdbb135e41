import Foundation
import Logging
import ReelBasics
import TopView

/// The process environment as settings: read once, an empty (or blank) variable counts as unset, and a value that
/// does not fit is a usage error (exit 2) naming the variable and what it takes.
struct SettingsEnvironment: Sendable {
    let values: [String: String]

    init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The variable's text, nil when unset or blank.
    func text(_ name: String) -> String? {
        guard let value = values[name], !value.allSatisfy({ $0 == " " || $0 == "\t" }) else { return nil }
        return value
    }

    /// The variable parsed by `setting`; nil when unset.
    func number<Value>(_ name: String, _ setting: NumericSetting<Value>) throws -> Value? {
        guard let text = text(name) else { return nil }
        do { return try setting.parse(text) } catch { throw ReelExit.usage(error.message(for: name)) }
    }

    /// A seconds variable as a `Duration`; nil when unset.
    func duration(_ name: String, _ setting: NumericSetting<Double>) throws -> Duration? {
        try number(name, setting).map { .milliseconds(Int64(($0 * 1000).rounded())) }
    }

    /// An on/off variable: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off` (any case); false when unset.
    func flag(_ name: String) throws -> Bool {
        guard let text = text(name) else { return false }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ReelExit.usage("\(name) must be 1 or 0 (got '\(SafeText.escape(text, limit: 64))')")
        }
    }

    /// `REEL_LOG_LEVEL`: one of swift-log's level names; nil when unset.
    func logLevel() throws -> Logger.Level? {
        guard let text = text("REEL_LOG_LEVEL") else { return nil }
        guard let level = Logger.Level(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ReelExit.usage("REEL_LOG_LEVEL must be one of \(names) (got '\(SafeText.escape(text, limit: 64))')")
        }
        return level
    }

    /// A URL variable or flag checked by ``OutboundURL``; nil when unset.
    func url(_ value: String?, named name: String, policy: OutboundURL.Policy) throws -> String? {
        guard let value, !value.isEmpty else { return nil }
        if let problem = OutboundURL.problem(value, policy: policy) {
            throw ReelExit.usage("\(name) \(problem) (got '\(SafeText.escape(redactedURL(value), limit: 128))')")
        }
        return value
    }
}
