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
