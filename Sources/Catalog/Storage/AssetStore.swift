import Foundation

/// Where asset files are kept: the seam between the pipeline and the storage medium (the local
/// filesystem now, an object store later).
///
/// The protocol enforces the catalog's rule that nothing half-written is ever visible: a file is
/// written in a per-task staging area, then ``commit(staged:to:)`` moves it into place whole.
/// Paths are relative to the storage root (as ``CatalogLayout`` builds them and manifests store them).
/// Errors are ``CatalogError``s.
public protocol AssetStore: Sendable {
    /// A URL in the task's staging area to write a file to (the area is created if needed). `name` must
    /// be a safe single path component. The staging area is emptied when the task's lock is next taken,
    /// so a crash leaves nothing behind for long.
    func stagingFile(for task: TaskID, name: String) throws -> URL

    /// Moves a complete staged file to `relativePath`, replacing any file there: the file is fsynced,
    /// the directories created as needed, the file renamed into place atomically and its directory
    /// fsynced. Throws ``CatalogError/unsafePath`` for a path that could escape the root.
    func commit(staged: URL, to relativePath: String) throws

    /// True if a regular file is at `relativePath`.
    func fileExists(relativePath: String) -> Bool

    /// Removes the file at `relativePath`; a missing file is not an error.
    func remove(relativePath: String) throws

    /// The size in bytes of the file at `relativePath`, or `nil` if there is none.
    func size(relativePath: String) -> Int64?
}
