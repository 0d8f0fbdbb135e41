import ArgumentParser
import Foundation
import Media

/// `reel`: archive TopView videos into a catalog, and media tools for local files.
@main
struct ReelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reel",
        abstract: "ReelVault: archive, verify and rework AI-generated videos.",
        version: ReelVersion.string,
        subcommands: [ArchiveCommand.self, ShowCommand.self, LsCommand.self, RenderTaskCommand.self, ReindexCommand.self, VerifyCatalogCommand.self, ServeCommand.self, WatchCommand.self, JobsCommand.self, MediaCommand.self]
    )

    /// Runs the command and exits with ReelVault's codes: 0 ok, 1 needs attention, 2 usage or configuration,
    /// 3 not settled, 4 upstream unavailable.
    static func main() async {
        MediaEngine.setFFmpegLogging(verbose: ProcessInfo.processInfo.environment["REEL_FFMPEG_VERBOSE"] == "1")
        do {
            var command = try parseAsRoot()
            // Settings every command reads, checked before any of them runs (exit 2 with the variable's name).
            _ = try SettingsEnvironment().logLevel()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
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
}

enum ReelVersion {
    static let string = "0.1.0"
}

/// Ends the process with a ReelVault exit code and a message on stderr.
struct ReelExit: Error {
    var code: Int32
    var message: String

    static let ok: Int32 = 0
    static let attention: Int32 = 1
    static let usage: Int32 = 2
    static let notSettled: Int32 = 3
    static let unavailable: Int32 = 4

    static func usage(_ message: String) -> ReelExit { ReelExit(code: usage, message: "error: " + message) }
}
