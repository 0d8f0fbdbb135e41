/// Where an asset stands in the archive.
public enum AssetState: String, Codable, Sendable, Hashable, CaseIterable {
    /// Known upstream and not yet settled here (still rendering, or not yet downloaded).
    case pending
    /// Downloaded, verified and renamed into place.
    case archived
    /// Failed upstream or here; `error` says why.
    case failed
    /// Never produced upstream (status `null`, e.g. an export never requested). Not a failure.
    case absent
}
