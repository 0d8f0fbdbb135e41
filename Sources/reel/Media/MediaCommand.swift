import ArgumentParser
import Foundation
import Media
import ReelBasics

/// `reel media …`: tools that work on local files (top-level commands work on the catalog).
struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Probe, verify, thumbnail and transcode local video files.",
        discussion: """
        EXAMPLES:
          reel media probe clip.mp4 --json
          reel media verify clip.mp4 --reported-us 8000000
          reel media render clip.mp4 --out renditions --preset 720p,1x1-720p-crop
        """,
        subcommands: [ProbeCommand.self, VerifyCommand.self, ThumbsCommand.self, RenderCommand.self, PipelineCommand.self, FetchCommand.self]
    )
}

/// A file argument must be a regular file (a symlink to one is fine): anything else — missing, a directory, a FIFO,
/// a device, a socket — is a usage error (exit 2), decided by `stat` before anything opens it (opening a FIFO
/// would block until a writer comes).
func requireFile(_ path: String) throws {
    var info = stat()
    guard stat(path, &info) == 0 else {
        let code = errno
        throw ReelExit.usage("\(SafeText.escape(path)): \(code == ENOENT ? "no such file" : String(cString: strerror(code))); give a video file")
    }
    let kind: String
    switch info.st_mode & S_IFMT {
    case S_IFREG: return
    case S_IFDIR: kind = "a directory"
    case S_IFIFO: kind = "a FIFO (named pipe)"
    case S_IFCHR, S_IFBLK: kind = "a device"
    case S_IFSOCK: kind = "a socket"
    default: kind = "not a regular file"
    }
    throw ReelExit.usage("\(SafeText.escape(path)) is \(kind), not a regular file; give a video file (reel media reads regular files only)")
}

/// What `reel media … --json` prints for a file that failed: `{"path", "error": {"code", "message"}}`, `code` one of
/// ``MediaError/Code`` (listed in the README).
struct MediaFailure: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
    }

    let path: String
    let error: Detail

    init(path: String, _ error: MediaError) {
        self.path = path
        self.error = Detail(code: error.code.rawValue, message: error.description)
    }
}

/// Maps a media error to its exit code (``mediaExit(_:)``); with `--json`, prints the failure's document on stdout first,
/// so a script reads why as it reads a success.
func mediaExit(_ error: MediaError, path: String, json: Bool) -> ReelExit {
    if json { try? Output.json(MediaFailure(path: path, error)) }
    return mediaExit(error)
}

/// Maps media errors to exit codes: not media → 1, anything about the invocation → 2.
func mediaExit(_ error: MediaError) -> ReelExit {
    switch error.code {
    case .notMedia, .noVideoStream, .outputCheckFailed:
        return ReelExit(code: ReelExit.attention, message: "error: \(SafeText.escape(error.description, limit: 1024))")
    case .invalidPreset:
        return ReelExit.usage(SafeText.escape(error.description, limit: 1024))
    default:
        return ReelExit(code: ReelExit.attention, message: "error: \(SafeText.escape(error.description, limit: 1024))")
    }
}
