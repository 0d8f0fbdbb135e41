import Catalog
import Foundation

/// The `reel show --json` document of a task, byte for byte: the manifest as the catalog stores it
/// (``CatalogJSON`` pretty-printed: sorted keys, unescaped slashes, dates with milliseconds) and a final newline.
/// `GET /api/tasks/{taskId}` answers it and the notifier sends it, so whoever compares it with the CLI's output
/// sees the same text.
public enum ShowDocument {
    public static func encode(_ manifest: TaskManifest) throws -> Data {
        var data = try CatalogJSON.encoder(pretty: true).encode(manifest)
        data.append(0x0A)
        return data
    }
}
