/// Content types of the files the catalog serves, by extension; anything else is `application/octet-stream`
/// (with `X-Content-Type-Options: nosniff`, a browser never guesses).
enum ContentTypes {
    static let byExtension: [String: String] = [
        "mp4": "video/mp4",
        "m4a": "audio/mp4",
        "mp3": "audio/mpeg",
        "wav": "audio/wav",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "webp": "image/webp",
        "png": "image/png",
        "vtt": "text/vtt; charset=utf-8",
        "json": "application/json",
    ]

    static func forPath(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return "application/octet-stream" }
        return byExtension[path[path.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }
}
