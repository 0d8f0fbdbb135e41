import DurableFiles
import Foundation

/// The JSON coders for manifests and summaries, shared with the CLI so that `reel show --json` prints
/// exactly what the catalog stores: the storage root's one JSON (``StoredJSON``), dates as ISO 8601 in UTC with
/// milliseconds (`2025-01-31T08:15:00.250Z`).
public typealias CatalogJSON = StoredJSON

extension KeyedDecodingContainer {
    /// An array that may be missing or `null`: both read as empty.
    func decodeList<T: Decodable>(_ type: [T].Type, forKey key: Key) throws -> [T] {
        try decodeIfPresent(type, forKey: key) ?? []
    }
}
