import Foundation

/// A task's `manifest.json` as a store holds it: its bytes and the version a conditional write names.
public struct StoredManifest: Sendable, Equatable {
    public let data: Data
    /// Changes with every write (an object store's ETag; the local store's SHA-256 of the bytes).
    public let version: String

    public init(data: Data, version: String) {
        self.data = data
        self.version = version
    }
}

/// What a manifest write requires of the manifest in the store, so that a writer that lost its task cannot overwrite
/// the new owner's work (``AssetStore/writeManifest(_:of:requiring:)``).
public enum ManifestPrecondition: Sendable, Equatable {
    /// Write whatever is there.
    case none
    /// Only if the task has no manifest yet (S3's `If-None-Match: *`).
    case absent
    /// Only if the manifest is still this version (S3's `If-Match: <etag>`).
    case version(String)
}

/// A manifest write refused by its precondition: another process wrote the manifest since this one read it (it took
/// the task over). Whoever gets one stops writing: the task is no longer theirs. A ``FenceError``.
public struct ManifestConflict: FenceError, CustomStringConvertible {
    public let taskId: String
    public let precondition: ManifestPrecondition

    public init(taskId: String, precondition: ManifestPrecondition) {
        self.taskId = taskId
        self.precondition = precondition
    }

    public var description: String {
        "the manifest of task \(CatalogError.printable(taskId)) was written by another process since this one read it "
            + "(it took the task over): this process stops writing; a rerun reads the manifest again and resumes"
    }
}
