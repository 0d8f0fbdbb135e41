import Catalog
import ObjectStore

/// A store whose recorded files `/files/…` can serve: each kind of store opens its own bytes, so the file route
/// never asks which store it has. A store that is not servable serves nothing (every path a 404).
protocol ServableStore: AssetStore {
    /// The file at `components` (a path the task's manifest records, already checked), opened for serving; nil when
    /// it is not there.
    func servedContent(components: [String]) async throws -> (any ServedContent)?
}

extension LocalAssetStore: ServableStore {
    /// Opened component by component from the storage root without following a symbolic link (``ServedFile``).
    func servedContent(components: [String]) async throws -> (any ServedContent)? {
        ServedFile.open(root: layout.root.path, components: components)
    }
}

extension S3AssetStore: ServableStore {
    /// The object's HEAD now; its bytes later, one ranged GET per piece served (``StoredObject``).
    func servedContent(components: [String]) async throws -> (any ServedContent)? {
        let key = client.location.key(components.joined(separator: "/"))
        guard let head = try await client.head(key) else { return nil }
        return StoredObject(client: client, key: key, head: head)
    }
}
