import Foundation
import ReelBasics

/// A file kept in the catalog: where it is, how big it is, its SHA-256, and where it came from.
public struct FileRecord: Codable, Sendable, Equatable, Hashable {
    /// Path relative to the storage root.
    public var path: String
    public var bytes: Int64
    /// Lowercase hex SHA-256 of the file's bytes.
    public var sha256: String
    /// The URL it was downloaded from, without query string, fragment or user info (signed URLs carry
    /// their signature in the query; it never reaches a manifest).
    public var url: String? {
        didSet { url = url.map(Self.redacted) }
    }

    public init(path: String, bytes: Int64, sha256: String, url: String? = nil) {
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256.lowercased()
        self.url = url.map(Self.redacted)
    }

    private enum CodingKeys: String, CodingKey {
        case path, bytes, sha256, url
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            path: try container.decode(String.self, forKey: .path),
            bytes: try container.decode(Int64.self, forKey: .bytes),
            sha256: try container.decode(String.self, forKey: .sha256),
            url: try container.decodeIfPresent(String.self, forKey: .url)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(url, forKey: .url)
    }

    /// `url` without its query string, fragment and user info (``ReelBasics/redactedURL(_:)``).
    public static func redacted(_ url: String) -> String { redactedURL(url) }
}
