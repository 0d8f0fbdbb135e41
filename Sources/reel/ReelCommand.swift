import ArgumentParser
import Catalog
import DurableFiles
import Foundation
import Logging
import Media

/// `reel`: archive TopView videos into a catalog, and media tools for local files.
@main
struct ReelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reel",
        abstract: "ReelVault: archive, verify and rework AI-generated videos.",
        discussion: """
        Exit codes: 0 ok; 1 something needs attention; 2 usage or configuration; 3 not settled upstream yet; 4 the \
        upstream or a database stayed unavailable; 130 stopped by Ctrl-C (a rerun resumes). Settings come from flags \
        over REEL_* / TOPVIEW_* variables (README: Settings).
        EXAMPLES:
          reel archive TASK --kind m2v
          reel ls --verdict mismatch
          reel serve --roles callbacks,admin,feeder
        """,
        version: ReelVersion.string,
        subcommands: [ArchiveCommand.self, ShowCommand.self, LsCommand.self, RenderTaskCommand.self, ReindexCommand.self, VerifyCatalogCommand.self, ServeCommand.self, WatchCommand.self, JobsCommand.self, WorkersCommand.self, DatabaseCommand.self, MigrateCommand.self, MediaCommand.self]
    )

    /// Parses the command line, reads the configuration once (flags over `REEL_*`/`TOPVIEW_*`, checked before the
    /// command runs), starts logging, FFmpeg's log and the failpoints from it, and runs the command with it. Exits
    /// with ReelVault's codes: 0 ok, 1 needs attention, 2 usage or configuration, 3 not settled, 4 upstream unavailable.
    static func main() async {
        if let suggestion = CommandSuggestion.message(for: Array(CommandLine.arguments.dropFirst()), root: Self.self) {
            FileHandle.standardError.write(Data((suggestion + "\n").utf8))
            Foundation.exit(ReelExit.usage)
        }
        do {
            var command = try parseAsRoot()
            if let configured = command as? any ConfiguredCommand {
                let configuration = try readConfiguration(configured.configurationFlags, defaultLogLevel: type(of: configured).defaultLogLevel)
                try await configured.run(configuration)
            } else {
                _ = try readConfiguration(ConfigurationFlags(), defaultLogLevel: .warning)
                if var asyncCommand = command as? AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
            }
        } catch let exit as ReelExit {
            if !exit.message.isEmpty { FileHandle.standardError.write(Data((exit.message + "\n").utf8)) }
            Foundation.exit(exit.code)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                self.exit(withError: error)
            }
            // Usage errors (ArgumentParser's 64) become 2.
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .validationFailure ? 2 : (code.rawValue == 1 ? 1 : 2))
        }
    }

    /// Reads the configuration once, from the command's flags over the environment (a setting that does not fit
    /// is exit 2), and sets what it sets for the whole process: logging, FFmpeg's log, the failpoints.
    static func readConfiguration(_ flags: ConfigurationFlags, defaultLogLevel: Logger.Level) throws -> ReelConfiguration {
        let configuration: ReelConfiguration
        do { configuration = try ReelConfiguration(reader: ConfigurationReader(), flags: flags) } catch { throw ReelExit(error) }
        CLILogging.bootstrap(level: configuration.logging.level ?? defaultLogLevel)
        MediaEngine.setFFmpegLogging(verbose: configuration.logging.ffmpegVerbose)
        Failpoint.arm(configuration.failpoints)
        return configuration
    }
}

enum ReelVersion {
    static let string = "0.1.0"
}
