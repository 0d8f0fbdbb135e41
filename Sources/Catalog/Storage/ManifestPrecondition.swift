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
