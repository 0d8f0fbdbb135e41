import Foundation

/// The format of an image or audio output, told by its first bytes (never by its URL or the server's content type).
/// Only raster images are kept: an SVG or an HTML page is refused like a non-video, since the catalog's files are
/// served from the admin origin.
enum OriginalFormat: String, Sendable {
    case jpeg, png, webp, m4a, mp3, wav

    /// The source's file extension (`source.jpg`).
    var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
    var isImage: Bool { self == .jpeg || self == .png || self == .webp }
    /// The decoders whose output proves the format (`MediaEngine.probe`).
    var imageCodecs: Set<String> {
        switch self {
        case .jpeg: ["mjpeg"]
        case .png: ["png"]
        case .webp: ["webp"]
        default: []
        }
    }

    /// The format of a file starting with `head` (at least 12 bytes read), or `nil` when it is none of the above.
    static func detect(_ head: [UInt8]) -> OriginalFormat? {
        func at(_ offset: Int, _ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return head.count >= offset + bytes.count && Array(head[offset..<offset + bytes.count]) == bytes
        }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if at(0, "RIFF"), at(8, "WEBP") { return .webp }
        if at(0, "RIFF"), at(8, "WAVE") { return .wav }
        if at(4, "ftyp") { return .m4a } // ISO base media: AAC (or ALAC) in MP4, as TopView's voices come
        if at(0, "ID3") || (head.count >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) { return .mp3 }
        return nil
    }

    /// The format of the file at `url`.
    static func detect(fileAt url: URL) throws -> OriginalFormat? {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return detect(Array(try handle.read(upToCount: 16) ?? Data()))
    }
}
