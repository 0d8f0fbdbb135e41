import Foundation
import ReelBasics

/// A named lease that one process of a deployment holds at a time (the feeder's: one process polls upstream, so
/// `REEL_REQUESTS_PER_SECOND` is one budget for the deployment). Every implementation passes the same contract suite.
public protocol LeaderLease: Sendable {
    /// Takes the lease `name` for `holder`, or extends it when `holder` has it, for `duration` from now by the store's
    /// clock; `true` when `holder` has it now. A lease whose holder stopped renewing is free once it has expired.
    func acquire(_ name: String, holder: String, for duration: Duration) async throws -> Bool

    /// Gives the lease up if `holder` has it (a graceful stop: another process takes over at once).
    func release(_ name: String, holder: String) async throws

    /// Who holds the lease now, if anyone.
    func holder(_ name: String) async throws -> String?
}

/// A lease name that is not a safe name.
public struct LeaderLeaseError: Error, CustomStringConvertible {
    public let name: String

    /// Refuses a name that is not 1–64 of `A-Z a-z 0-9 . _ -` (not starting with `.`): the same names for every store.
    public static func check(_ name: String) throws(LeaderLeaseError) {
        guard SafeName.isSafe(name, maximumLength: 64) else { throw LeaderLeaseError(name: name) }
    }

    public var description: String { "the lease name \(name.debugDescription) is not a safe name (letters, digits, ., _ and -)" }
}
