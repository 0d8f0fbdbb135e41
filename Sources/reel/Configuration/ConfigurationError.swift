import ReelBasics

/// A setting that does not fit: the process stops with exit 2 before anything is opened, bound or requested.
///
/// One style for every message: it starts with the setting's name (the flag when the value came from a flag, else the
/// variable) and says what it takes, and the value it got is escaped and cut:
/// `REEL_WORKERS must be a decimal integer from 1 to 64 (got '0x10')`.
struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The flag or variable at fault (`REEL_WORKERS`, `--base-url`).
    let setting: String
    /// The whole message, starting with ``setting`` (a missing required value may say how to set it first).
    let message: String

    var description: String { message }

    /// A value out of syntax or range: `NAME must be … (got '…')`.
    static func invalid(_ setting: String, _ error: SettingError) -> ConfigurationError {
        ConfigurationError(setting: setting, message: error.message(for: setting))
    }

    /// A value that is not one of `expected`: `NAME must be EXPECTED (got '…')`.
    static func invalid(_ setting: String, mustBe expected: String, got value: String, limit: Int = 64) -> ConfigurationError {
        ConfigurationError(setting: setting, message: "\(setting) must be \(expected) (got '\(SafeText.escape(value, limit: limit))')")
    }

    /// Any other refusal, phrased to follow the name: `NAME <problem>`.
    static func refused(_ setting: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(setting: setting, message: "\(setting) \(problem)")
    }
}
