import ArgumentParser
import ReelBasics

extension NumericSetting {
    /// For `@Option(transform:)`: the flag's value parsed like its variable; a value out of syntax or range is a
    /// usage error (exit 2): `The value '0x10' is invalid for '--workers <workers>': give a decimal integer from 1 to 64`.
    var argument: @Sendable (String) throws -> Value {
        { [self] text in
            do throws(SettingError) { return try parse(text) } catch { throw ValidationError("give \(error.expected)") }
        }
    }

    /// For `--help`: `(1…64, default 1)`.
    func help(default value: String? = nil) -> String {
        value.map { "(\(rangeText); default \($0))" } ?? "(\(rangeText))"
    }
}
