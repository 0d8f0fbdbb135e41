import DurableFiles
import Foundation

/// The media engine's outputs reach their final name through the storage root's one atomic write (``FileIO``):
/// written beside the final name, fsynced, renamed, the directory fsynced. A reader never sees half a file, and after a
/// crash the final name holds either the old file or the whole new one. A failure is a ``MediaError`` (``MediaError/Code/noSpace``
/// when the volume is full) and leaves no temporary behind.
enum AtomicFile {
    /// The hidden temporary name beside `path` that FFmpeg writes an output to first.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial").path
    }

    /// Writes `data` to `path` atomically and durably.
    static func write(_ data: Data, to path: String) throws(MediaError) {
        do { try FileIO.writeAtomically(data, to: URL(fileURLWithPath: path)) } catch { throw mediaError(error) }
    }

    /// Makes the complete file `temp` the file at `path` (``FileIO/commit(_:to:)``). On failure before the rename,
    /// `temp` is removed and `path` is untouched.
    static func commit(_ temp: String, to path: String) throws(MediaError) {
        do { try FileIO.commit(temp, to: path) } catch { throw mediaError(error) }
    }

    private static func mediaError(_ error: FileError) -> MediaError {
        let what = "\(error.operation) \(error.path)"
        if let code = error.code { return .writing(what, errno: code) }
        return .writing(what, error.underlying ?? error)
    }
}
