import DurableFiles
import Foundation

/// A directory found under `tasks/<shard>/` by a scan.
struct TaskDirectoryEntry {
    let shard: String
    let name: String
    let url: URL
    /// The task id, if the name is a safe id that belongs in this shard.
    let id: TaskID?
}

extension CatalogLayout {
    /// Every directory under `tasks/*/`, sorted: the one place the catalog scans instead of looking up.
    func scanTaskDirectories() -> [TaskDirectoryEntry] {
        var entries: [TaskDirectoryEntry] = []
        for shard in FileIO.list(tasksDirectory.path) {
            let shardURL = tasksDirectory.appendingPathComponent(shard, isDirectory: true)
            guard FileIO.isDirectory(shardURL.path) else { continue }
            for name in FileIO.list(shardURL.path) {
                let url = shardURL.appendingPathComponent(name, isDirectory: true)
                guard FileIO.isDirectory(url.path) else { continue }
                let id = try? TaskID(validating: name)
                entries.append(TaskDirectoryEntry(
                    shard: shard, name: name, url: url,
                    id: id.flatMap { Self.shard(of: $0) == shard ? $0 : nil }
                ))
            }
        }
        return entries
    }
}
