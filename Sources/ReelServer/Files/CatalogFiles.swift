import Catalog
import Hummingbird

/// `GET|HEAD /files/<path>`: serves exactly the files a task's manifest records (source, cover, poster, stills,
/// storyboard sprite and WebVTT, renditions) and nothing else: not `manifest.json`, `queue/`, `watch.json`, the index,
/// dot-files, `.staging/`, partial downloads or orphans. The path arrives decoded and normalised once
/// (``NormalizedPathResponder``); the task is found by a path lookup (`tasks/<shard>/<taskId>/…`, the shard checked),
/// the path must be one the manifest lists, and the file is opened without following a symbolic link in any
/// component (``ServedFile``). Every refusal is the same 404.
struct CatalogFiles: Sendable {
    let catalog: Catalog

    func respond(_ request: Request) async throws -> Response {
        guard let file = try await open(path: request.uri.path) else { return Reply.error(.notFound, "Not Found") }
        return FileResponse(file: file.file, contentType: ContentTypes.forPath(file.relative)).response(for: request)
    }

    /// The recorded file a normalised request path names, opened; nil when it names nothing servable.
    func open(path: String) async throws -> (file: any ServedContent, relative: String)? {
        let segments = path.split(separator: "/").map(String.init)
        guard segments.count >= 5, segments[0] == "files", segments[1] == "tasks" else { return nil }
        let relative = segments.dropFirst()
        guard !relative.contains(where: { $0.hasPrefix(".") }),
              let id = try? TaskID(validating: segments[3]), CatalogLayout.shard(of: id) == segments[2],
              let manifest = try await catalog.manifest(for: id) else { return nil }
        let path = relative.joined(separator: "/")
        guard manifest.assets.contains(where: { $0.referencedPaths.contains(path) }) else { return nil }
        guard let store = catalog.store as? any ServableStore,
              let file = try await store.servedContent(components: Array(relative)) else { return nil }
        return (file, path)
    }
}
