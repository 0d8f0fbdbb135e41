import Catalog
import DurableFiles

/// Every error a ``WatchList`` throws. Compare with the static members; the context travels with the instance.
public struct WatchListError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case invalidTaskID
        case invalidKind
        case lockTimeout
        case io
        case encoding
    }

    private let code: Code
    /// The refused value or the path.
    public let subject: String
    public let reason: String

    private init(_ code: Code, subject: String = "", reason: String = "") {
        self.code = code
        self.subject = subject
        self.reason = reason
    }

    public static func == (lhs: WatchListError, rhs: WatchListError) -> Bool { lhs.code == rhs.code }

    /// A task id that is not a safe path component.
    public static let invalidTaskID = WatchListError(.invalidTaskID)
    /// A kind no ``TopView/TaskKinds`` entry has.
    public static let invalidKind = WatchListError(.invalidKind)
    /// Another process held `.watch.lock` longer than the watch list's lock timeout.
    public static let lockTimeout = WatchListError(.lockTimeout)
    /// A filesystem call failed.
    public static let io = WatchListError(.io)
    /// The list could not be encoded (a bug).
    public static let encoding = WatchListError(.encoding)

    static func invalidTaskID(_ raw: String) -> WatchListError {
        WatchListError(.invalidTaskID, subject: String(raw.debugDescription.prefix(80)),
                       reason: "use 1 to 128 characters from A-Z a-z 0-9 . _ -, not starting with '.'")
    }

    static func invalidKind(_ raw: String, known: [String]) -> WatchListError {
        WatchListError(.invalidKind, subject: String(raw.debugDescription.prefix(40)), reason: "known kinds: " + known.joined(separator: ", "))
    }

    static func lockTimeout(_ path: String) -> WatchListError { WatchListError(.lockTimeout, subject: path) }

    static func io(_ cause: FileError) -> WatchListError { WatchListError(.io, subject: cause.path, reason: "\(cause.reason) at \(cause.path)") }

    static func encoding(_ cause: any Error) -> WatchListError { WatchListError(.encoding, reason: "\(cause)") }

    public var description: String {
        switch code {
        case .invalidTaskID: "Task id \(subject) is refused: \(reason)."
        case .invalidKind: "Task kind \(subject) is unknown (\(reason))."
        case .lockTimeout: "The watch list is locked by another process (lock \(subject)): run the command again."
        case .io: "Watch list filesystem error (\(reason)): check that the storage root exists, is writable and has free space."
        case .encoding: "The watch list could not be encoded (\(reason)): this is a bug, report it."
        }
    }
}
