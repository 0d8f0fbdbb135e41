import ArgumentParser
import Foundation
import Media

/// `reel media …`: tools that work on local files (top-level commands work on the catalog).
struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Probe, verify, thumbnail and transcode local video files.",
        subcommands: [ProbeCommand.self, VerifyCommand.self, ThumbsCommand.self, RenderCommand.self, PipelineCommand.self, FetchCommand.self]
    )
}

struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object on stdout (an array for several files).")
    var json = false
}

/// A file argument must exist and be a regular file: anything else is a usage error (exit 2).
func requireFile(_ path: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw ReelExit.usage("\(path): no such file")
    }
    guard !isDirectory.boolValue else { throw ReelExit.usage("\(path) is a directory; give a video file") }
}

/// Maps media errors to exit codes: not media → 1, anything about the invocation → 2.
func mediaExit(_ error: MediaError) -> ReelExit {
    switch error.code {
    case .notMedia, .noVideoStream, .outputCheckFailed:
        return ReelExit(code: ReelExit.attention, message: "error: \(error)")
    case .invalidPreset:
        return ReelExit.usage(error.description)
    default:
        return ReelExit(code: ReelExit.attention, message: "error: \(error)")
    }
}
