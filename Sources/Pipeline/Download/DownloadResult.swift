/// What a finished download wrote to its staging file.
public struct DownloadResult: Sendable, Hashable {
    /// Bytes in the staging file.
    public let bytes: Int64
    /// SHA-256 of those bytes, lowercase hex.
    public let sha256: String
    /// Validators and type of the response the bytes came from.
    public let etag: String?
    public let lastModified: String?
    public let contentType: String?

    public init(bytes: Int64, sha256: String, etag: String?, lastModified: String?, contentType: String?) {
        self.bytes = bytes
        self.sha256 = sha256
        self.etag = etag
        self.lastModified = lastModified
        self.contentType = contentType
    }
}
