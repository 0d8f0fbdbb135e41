import DurableFiles
import Foundation

/// Pipeline failures that are not the downloader's, the API's, the media engine's or the catalog's.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String

    public var description: String { message }

    static func missingURL(_ field: String) -> PipelineError {
        PipelineError(code: "missing_url", message: "upstream reported success but gave no \(field); rerun later or ask the vendor")
    }

    static func insufficientSpace(_ need: Int64, _ free: Int64, _ what: String) -> PipelineError {
        PipelineError(code: "insufficient_space",
                      message: "not enough free space for \(what): need \(need) bytes, \(free) free; free some space and rerun")
    }
}

/// Free-space checks before an encode (downloads check their own).
enum DiskSpace {
    static func require(bytes: Int64, at url: URL, for what: String) throws {
        guard let free = FileIO.freeSpace(at: url.path) else { return }
        if free < bytes { throw PipelineError.insufficientSpace(bytes, free, what) }
    }
}
