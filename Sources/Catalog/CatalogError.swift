import DurableFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every error the catalog throws. Compare with the static members (`error == .unsafeTaskID`); the
/// context (the refused value, the path, the cause) travels with the instance and shows in `description`.
public struct CatalogError: Error, Equatable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case unsafeTaskID
        case unsafePath
        case unparsableManifest
        case manifestTooLarge
        case io
        case index
        case lockTimeout
        case encoding
        case readOnly
    }

    private let code: Code
    /// The value or path the error is about (a refused id is truncated and escaped).
    public let subject: String
    /// What went wrong underneath: an errno text, a decoding error, an SQLite message.
    public let reason: String
    /// The low-level cause, when there is one.
    public let underlying: (any Error)?

    private init(_ code: Code, subject: String = "", reason: String = "", underlying: (any Error)? = nil) {
        self.code = code
        self.subject = subject
        self.reason = reason
        self.underlying = underlying
    }

    /// Two errors are equal when they are of the same kind, whatever their context.
    public static func == (lhs: CatalogError, rhs: CatalogError) -> Bool { lhs.code == rhs.code }

    /// A task id that is not a safe single path component. The CLI maps it to exit 2.
    public static let unsafeTaskID = CatalogError(.unsafeTaskID)
    /// A relative path that is absolute, has `..`, hidden or empty components, or escapes the root.
    public static let unsafePath = CatalogError(.unsafePath)
    /// A `manifest.json` that exists but cannot be decoded.
    public static let unparsableManifest = CatalogError(.unparsableManifest)
    /// A `manifest.json` larger than ``Catalog/maximumManifestBytes``.
    public static let manifestTooLarge = CatalogError(.manifestTooLarge)
    /// A filesystem call failed.
    public static let io = CatalogError(.io)
    /// The derived SQLite index failed.
    public static let index = CatalogError(.index)
    /// Another holder kept the per-task lock longer than the caller's timeout.
    public static let lockTimeout = CatalogError(.lockTimeout)
    /// A manifest could not be encoded.
    public static let encoding = CatalogError(.encoding)
    /// A change was asked of a catalog that is read-only: its root is on a read-only medium (a mounted backup) or
    /// not writable, or it was opened with ``Catalog/Access/readOnly``. The CLI maps it to exit 2.
    public static let readOnly = CatalogError(.readOnly)

    static func unsafeTaskID(_ raw: String, _ why: String) -> CatalogError {
        CatalogError(.unsafeTaskID, subject: Self.printable(raw), reason: why)
    }

    static func unsafePath(_ path: String, _ why: String) -> CatalogError {
        CatalogError(.unsafePath, subject: Self.printable(path), reason: why)
    }

    static func unparsableManifest(_ path: String, _ cause: any Error) -> CatalogError {
        CatalogError(.unparsableManifest, subject: path, reason: "\(cause)", underlying: cause)
    }

    package static func manifestTooLarge(_ path: String, bytes: Int64) -> CatalogError {
        CatalogError(.manifestTooLarge, subject: path, reason: "\(bytes) bytes")
    }

    /// A filesystem call that failed (``FileError``, kept as the cause).
    package static func io(_ error: FileError) -> CatalogError {
        CatalogError(.io, subject: error.path, reason: error.reason, underlying: error)
    }

    package static func io(_ operation: String, _ path: String, errno code: Int32) -> CatalogError {
        io(FileError(operation, path, errno: code))
    }

    static func index(_ path: String, _ cause: any Error) -> CatalogError {
        CatalogError(.index, subject: path, reason: "\(cause)", underlying: cause)
    }

    public static func lockTimeout(_ taskID: String, _ path: String) -> CatalogError {
        CatalogError(.lockTimeout, subject: taskID, reason: path)
    }

    static func encoding(_ taskID: String, _ cause: any Error) -> CatalogError {
        CatalogError(.encoding, subject: taskID, reason: "\(cause)", underlying: cause)
    }

    static func readOnly(_ root: String, _ why: String) -> CatalogError {
        CatalogError(.readOnly, subject: root, reason: why)
    }

    public var description: String {
        switch code {
        case .unsafeTaskID:
            "Task id \(subject) is refused (\(reason)): use 1 to 128 characters from A-Z a-z 0-9 . _ -, not starting with '.'."
        case .unsafePath:
            "Path \(subject) is refused (\(reason)): give a path relative to the storage root, without '..', hidden or empty components."
        case .unparsableManifest:
            "Manifest \(subject) cannot be parsed (\(reason)): restore it from a backup, or move the task directory away and archive the task again; `reel verify --all` lists every such manifest."
        case .manifestTooLarge:
            "Manifest \(subject) is too large (\(reason)): it is not a manifest this program wrote; inspect it and move the task directory away."
        case .io:
            "Filesystem error on \(subject) (\(reason)): check that the storage root exists, is writable and has free space, then run the command again."
        case .index:
            "The catalog index \(subject) failed (\(reason)): delete index.sqlite and run `reel reindex` to rebuild it from the manifests."
        case .lockTimeout:
            "Task \(subject) is locked by another process (lock \(reason)): wait for the other `reel` run to finish, then run the command again."
        case .encoding:
            "The manifest of task \(subject) could not be encoded (\(reason)): this is a bug, report it with the task id."
        case .readOnly:
            "The storage root \(subject) is read-only (\(reason)): reading commands (reel ls, reel show, reel verify) work on it; to archive, render or reindex, give a writable root (--storage / REEL_STORAGE) or copy the catalog to one."
        }
    }

    /// Quotes a value for messages: control characters escaped, at most 80 characters kept.
    static func printable(_ raw: String) -> String {
        let escaped = raw.unicodeScalars.prefix(80).map { $0.escaped(asASCII: true) }.joined()
        return "\"" + escaped + (raw.unicodeScalars.count > 80 ? "…" : "") + "\""
    }
}

/// Runs calls of the durable-file primitives; their ``FileError`` comes out as ``CatalogError/io``.
func fileIO<T>(_ body: () throws(FileError) -> T) throws(CatalogError) -> T {
    do { return try body() } catch { throw .io(error) }
}
