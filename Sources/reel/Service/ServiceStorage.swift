import Catalog
import Foundation
import Pipeline
import ReelBasics

/// A job id given on the command line must be a possible id (`<kind>-<taskId>`): anything else is a
/// usage error (exit 2) before the queue is touched.
func validJobID(_ raw: String) throws -> String {
    guard SafeName.isSafe(raw, maximumLength: 200) else {
        throw ReelExit.usage("job id \(raw.debugDescription.prefix(80)) is not valid: job ids are <kind>-<taskId> (see `reel jobs ls`)")
    }
    return raw
}

/// Maps queue and watch-list errors to exit codes: an unknown job or a refused transition needs
/// attention (1); an invalid value is a usage error (2); filesystem and lock failures need attention (1).
func serviceExit(_ error: any Error) -> any Error {
    switch error {
    case let error as JobQueueError:
        if error == .invalidJob { return ReelExit.usage(error.description) }
        return ReelExit(code: ReelExit.attention, message: "error: \(error)")
    case let error as WatchListError:
        if error == .invalidTaskID || error == .invalidKind { return ReelExit.usage(error.description) }
        return ReelExit(code: ReelExit.attention, message: "error: \(error)")
    default:
        return error
    }
}

/// ISO-8601 to the second, UTC, for human output.
func isoSeconds(_ date: Date) -> String {
    date.formatted(.iso8601)
}
