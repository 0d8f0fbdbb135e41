import Catalog
import Foundation

/// A catalog root for the file-serving tests: one task whose manifest records a source, cover, poster, stills (jpg,
/// webp, png), a storyboard and a rendition, with random bytes in each; beside them everything `/files` must never
/// serve: the manifest, the index, the queue, `watch.json`, dot-files, `.staging/`, an orphan, a recorded still that
/// is a symbolic link to `/etc/passwd`, a recorded asset reached through a symlinked directory, a link at the root.
struct ServedCatalogFixture {
    let root: URL
    let outside: URL
    let taskId: String
    /// `tasks/<shard>/<taskId>`
    let taskPath: String
    /// Recorded files (relative to the root) with their bytes.
    let recorded: [String: Data]
    /// Files on disk that must never be served (relative to the root).
    let hidden: [String]

    var sourcePath: String { "\(taskPath)/0/preview/source.mp4" }

    static func make() async throws -> ServedCatalogFixture {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("reel-files-\(UUID().uuidString)", isDirectory: true)
        let outside = fm.temporaryDirectory.appendingPathComponent("reel-files-outside-\(UUID().uuidString)", isDirectory: true)
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        let catalog = try Catalog(root: root)
        let id = try TaskID(validating: "served-task-1")
        let taskPath = "tasks/\(CatalogLayout.shard(of: id))/\(id.rawValue)"
        let asset = "\(taskPath)/0/preview"
        var recorded: [String: Data] = [:]
        func write(_ path: String, bytes: Int) throws -> Data {
            let data = Data((0..<bytes).map { _ in UInt8.random(in: 0...255) })
            let url = root.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
            return data
        }
        for (path, size) in [("source.mp4", 300_000), ("cover.jpg", 2000), ("poster.jpg", 3000), ("thumbs/001.jpg", 1000),
                             ("thumbs/003.webp", 1000), ("thumbs/004.png", 1000), ("storyboard/sprite.jpg", 4000),
                             ("storyboard/storyboard.vtt", 500), ("renditions/240p.mp4", 50_000)] {
            recorded["\(asset)/\(path)"] = try write("\(asset)/\(path)", bytes: size)
        }
        // A recorded still that is a link out of the root, and an asset whose directory is a link out of the root.
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("\(asset)/thumbs/002.jpg").path, withDestinationPath: "/etc/passwd")
        try fm.createDirectory(at: root.appendingPathComponent("\(taskPath)/1"), withIntermediateDirectories: true)
        try fm.createDirectory(at: outside.appendingPathComponent("export"), withIntermediateDirectories: true)
        try Data("outside".utf8).write(to: outside.appendingPathComponent("export/source.mp4"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("\(taskPath)/1/export").path,
                                  withDestinationPath: outside.appendingPathComponent("export").path)
        func file(_ path: String) -> FileRecord {
            FileRecord(path: path, bytes: Int64(recorded[path]?.count ?? 0), sha256: String(repeating: "0", count: 64))
        }
        func image(_ path: String) -> ImageRecord { ImageRecord(path: path, timeUs: 0, width: 16, height: 16) }
        let preview = AssetRecord(
            scriptId: 0, role: .preview, state: .archived, source: file("\(asset)/source.mp4"), cover: file("\(asset)/cover.jpg"),
            poster: image("\(asset)/poster.jpg"),
            thumbnails: ["001.jpg", "002.jpg", "003.webp", "004.png"].map { image("\(asset)/thumbs/\($0)") },
            storyboard: StoryboardRecord(sprite: "\(asset)/storyboard/sprite.jpg", vtt: "\(asset)/storyboard/storyboard.vtt"),
            renditions: [RenditionRecord(preset: "240p", path: "\(asset)/renditions/240p.mp4", width: 426, height: 240,
                                         bytes: 50_000, sha256: String(repeating: "0", count: 64), durationUs: 1_000_000)])
        let export = AssetRecord(scriptId: 1, role: .export, state: .archived, source: file("\(taskPath)/1/export/source.mp4"))
        try await catalog.save(TaskManifest(taskId: id, kind: "m2v", status: "success", assets: [preview, export]))
        // Never served, whatever the encoding of the request.
        var hidden = ["\(taskPath)/manifest.json", "index.sqlite", "\(asset)/orphan.mp4", "\(asset)/.hidden.mp4",
                      "\(taskPath)/.staging/0-preview/source.mp4", "\(taskPath)/.lock", "watch.json", "queue/done/job-1.json"]
        for path in hidden where !fm.fileExists(atPath: root.appendingPathComponent(path).path) {
            _ = try write(path, bytes: 64)
        }
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("x").path, withDestinationPath: "/etc/passwd")
        hidden += ["x", "\(asset)/thumbs/002.jpg", "\(taskPath)/1/export/source.mp4"]
        return ServedCatalogFixture(root: root, outside: outside, taskId: id.rawValue, taskPath: taskPath, recorded: recorded,
                                    hidden: hidden)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
        try? FileManager.default.removeItem(at: outside)
    }
}
