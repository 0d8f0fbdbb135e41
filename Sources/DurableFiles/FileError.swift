#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A filesystem call that failed: which call, on which path, and why. Every primitive of this module throws it;
/// the catalog, the job queue and the watch list wrap it in their own `io` errors, keeping this one as the cause.
public struct FileError: Error, Sendable, CustomStringConvertible {
    /// The call, as the operator should read it: `"open lock"`, `"rename to /root/x"`, `"fsync"`.
    public let operation: String
    /// The path the call was made on.
    public let path: String
    /// The `errno` of the call, when it was a POSIX call.
    public let code: Int32?
    /// What went wrong underneath, when it was not a POSIX call (a Foundation error).
    public let underlying: (any Error)?

    /// A POSIX call on `path` that failed with `errno` `code`.
    public init(_ operation: String, _ path: String, errno code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
        self.underlying = nil
    }

    /// A call on `path` that failed with `cause`.
    public init(_ operation: String, _ path: String, _ cause: any Error) {
        self.operation = operation
        self.path = path
        self.code = nil
        self.underlying = cause
    }

    /// `operation: <strerror> (errno N)`, or `operation: <cause>`.
    public var reason: String {
        if let code { return "\(operation): \(String(cString: strerror(code))) (errno \(code))" }
        return "\(operation): \(underlying.map { "\($0)" } ?? "failed")"
    }

    /// True when the volume is full (or the user's quota is).
    public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }

    public var description: String {
        "Filesystem error on \(path) (\(reason)): check that the storage root exists, is writable and has free space, then run the command again."
    }
}
