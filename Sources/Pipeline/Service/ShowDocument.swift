import Catalog
import Foundation

/// The `reel show --json` document of a task, byte for byte: pretty-printed, sorted keys, unescaped slashes,
/// ISO 8601 dates to the second, a final newline. `GET /api/tasks/{taskId}` answers it and the notifier sends it,
/// so whoever compares it with the CLI's output sees the same text.
public enum ShowDocument {
    public static func encode(_ manifest: TaskManifest) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(manifest)
        data.append(0x0A)
        return data
    }
}
