/// Content types of the catalog's files, by extension, for every store and listener: what an object store records
/// with each object and what `/files/…` answers. Anything else is `application/octet-stream` (served with
/// `X-Content-Type-Options: nosniff`, so a browser never guesses).
public enum ContentTypes {
    static let byExtension: [String: String] = [
        "mp4": "video/mp4",
        "m4v": "video/mp4",
        "mov": "video/quicktime",
        "webm": "video/webm",
        "m4a": "audio/mp4",
        "mp3": "audio/mpeg",
        "wav": "audio/wav",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "webp": "image/webp",
        "png": "image/png",
        "gif": "image/gif",
        "vtt": "text/vtt; charset=utf-8",
        "json": "application/json",
    ]

    /// The content type of a catalog path, from its last extension (case ignored).
    public static func forPath(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return "application/octet-stream" }
        return byExtension[path[path.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }
}
