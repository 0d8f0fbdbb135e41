import DurableFiles
import Foundation

/// Reading and encoding one `manifest.json`.
enum ManifestFile {
    /// The manifest at `url`, `nil` if there is none. Throws ``CatalogError/unparsableManifest`` if it
    /// does not decode or names another task than `id`.
    static func load(_ url: URL, id: TaskID) throws(CatalogError) -> TaskManifest? {
        let path = url.path
        switch FileIO.read(path, limit: Catalog.maximumManifestBytes) {
        case .missing: return nil
        case .read(let data): return try decode(data, id: id, source: path)
        case .tooLarge(let size, _): throw .manifestTooLarge(path, bytes: size)
        case .directory: throw .io("read", path, errno: EISDIR)
        case .failed(let error): throw .io(error)
        }
    }

    /// The manifest in `data`, read from `source` (a path or a key, for messages). Throws
    /// ``CatalogError/unparsableManifest`` if it does not decode or names another task than `id`.
    static func decode(_ data: Data, id: TaskID, source: String) throws(CatalogError) -> TaskManifest {
        let manifest: TaskManifest
        do {
            manifest = try CatalogJSON.decoder().decode(TaskManifest.self, from: data)
        } catch {
            throw .unparsableManifest(source, error)
        }
        guard manifest.taskId == id.rawValue else {
            throw .unparsableManifest(source, MismatchedTask(found: manifest.taskId, expected: id.rawValue))
        }
        return manifest
    }

    static func encode(_ manifest: TaskManifest) throws(CatalogError) -> Data {
        do {
            var data = try CatalogJSON.encoder(pretty: true).encode(manifest)
            data.append(UInt8(ascii: "\n"))
            return data
        } catch {
            throw .encoding(manifest.taskId, error)
        }
    }

    struct MismatchedTask: Error, CustomStringConvertible {
        let found: String
        let expected: String
        var description: String {
            "the manifest is for task \(CatalogError.printable(found)), not \(CatalogError.printable(expected))"
        }
    }
}
