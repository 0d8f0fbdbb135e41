import Foundation

/// A file the sandbox serves, with the validators an origin like S3 sends.
struct MediaFile: Sendable {
    let path: String
    let size: Int
    let etag: String
    let lastModified: String

    /// The files that may be served; anything else is not found (no path ever comes from the request).
    static let names: Set<String> = ["demo.mp4", "small.mp4", "small-alt.mp4", "truncated.mp4", "demo.jpg", "small.jpg",
                                      "picture.png", "picture.webp", "voice.m4a", "page.svg"]

    init?(directory: URL, name: String) {
        guard Self.names.contains(name) else { return nil }
        let path = directory.appendingPathComponent(name).path
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.path = path
        self.size = Int(info.st_size)
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
        self.etag = "\"\(String(info.st_ino, radix: 16))-\(String(info.st_size, radix: 16))-\(String(info.st_mtim.tv_sec, radix: 16))\(String(info.st_mtim.tv_nsec, radix: 16))\""
        self.lastModified = Self.httpDate(modified)
    }

    var contentType: String {
        switch (path as NSString).pathExtension {
        case "jpg": "image/jpeg"
        case "png": "image/png"
        case "webp": "image/webp"
        case "m4a": "audio/mp4"
        case "svg": "image/svg+xml"
        default: "video/mp4"
        }
    }

    private static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}

/// A single `Range: bytes=…` request resolved against a file size (RFC 9110 §14.1.2).
enum ByteRange: Equatable {
    case range(ClosedRange<Int>)
    case unsatisfiable
    /// Malformed or multi-range: served as a whole file, as the RFC allows.
    case ignored

    init(header: String, size: Int) {
        guard header.hasPrefix("bytes="), !header.contains(",") else { self = .ignored; return }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { self = .ignored; return }
        let first = Int(parts[0])
        let last = Int(parts[1])
        switch (parts[0].isEmpty, parts[1].isEmpty) {
        case (true, false):
            guard let suffix = last else { self = .ignored; return }
            guard suffix > 0, size > 0 else { self = .unsatisfiable; return }
            self = .range(max(0, size - suffix)...(size - 1))
        case (false, _):
            guard let start = first, start >= 0 else { self = .ignored; return }
            if !parts[1].isEmpty && (last == nil || last! < start) { self = .ignored; return }
            guard start < size else { self = .unsatisfiable; return }
            self = .range(start...min(last ?? (size - 1), size - 1))
        default:
            self = .ignored
        }
    }
}
