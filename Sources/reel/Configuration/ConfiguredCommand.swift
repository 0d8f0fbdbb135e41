import ArgumentParser
import Logging

/// A command that runs with the ``ReelConfiguration`` that ``ReelCommand`` reads once, after parsing and before
/// anything runs (a bad setting stops it with exit 2 before anything is opened, bound or requested).
protocol ConfiguredCommand: AsyncParsableCommand {
    /// The option groups whose flags override variables; they also say which parts the command reads.
    var configurationFlags: ConfigurationFlags { get }
    /// The log level when `REEL_LOG_LEVEL` is unset.
    static var defaultLogLevel: Logger.Level { get }
    func run(_ configuration: ReelConfiguration) async throws
}

extension ConfiguredCommand {
    static var defaultLogLevel: Logger.Level { .warning }

    /// For a caller other than ``ReelCommand/main()``: reads the configuration here, then runs.
    func run() async throws {
        let configuration: ReelConfiguration
        do { configuration = try ReelConfiguration(reader: ConfigurationReader(), flags: configurationFlags) } catch { throw ReelExit(error) }
        try await run(configuration)
    }
}
