import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ReelBasics

/// The S3 calls this program makes (every `key` is a whole object key: ``S3Location/key(_:)`` adds the prefix), each one AWS documents (listed in the README), signed with AWS Signature V4:
/// PutObject (with `x-amz-checksum-sha256`, optionally conditional), GetObject (whole or a range), HeadObject,
/// DeleteObject, ListObjectsV2, and CreateMultipartUpload / UploadPart / CompleteMultipartUpload /
/// AbortMultipartUpload for objects above ``multipartThreshold``.
///
/// Every request is retried on a transport failure, a 5xx or a throttle (3 attempts, backoff), except that a
/// conditional PUT is checked before it is retried (its first attempt may have landed). Errors are ``S3Error``s.
public struct S3Client: Sendable {
    public let location: S3Location
    let signer: SigV4Signer
    let http: HTTPClient
    let logger: Logger
    /// Above this size an upload is multipart, each part with its own checksum.
    public static let multipartThreshold: Int64 = 64 << 20
    /// The part size of a multipart upload.
    public static let partSize: Int64 = 16 << 20
    /// Parts in flight at once.
    static let partConcurrency = 6
    /// One request's deadline (a 16 MiB part on a slow link included).
    static let requestTimeout: TimeAmount = .seconds(300)

    /// The process's HTTP client for S3: no redirects (a signed request goes where it was signed for), no
    /// decompression, a 10 s connect and 60 s read timeout, and a failed connection fails its request at once (the
    /// pool would otherwise retry connecting until the request's deadline; ``send`` retries with its own backoff).
    public static let defaultHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// For streamed GETs: as ``defaultHTTP`` but without a read timeout, since the reader sets the pace (a paused
    /// player holds its stream open while it reads nothing).
    public static let streamingHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    let streamingHTTP: HTTPClient

    public init(location: S3Location, credentials: S3Credentials, http: HTTPClient = S3Client.defaultHTTP,
                streamingHTTP: HTTPClient = S3Client.streamingHTTP, logger: Logger = Logger(label: "reelvault.s3")) {
        self.location = location
        self.signer = SigV4Signer(credentials: credentials, region: location.region)
        self.http = http
        self.streamingHTTP = streamingHTTP
        self.logger = logger
    }

    /// What an object's HEAD tells.
    public struct Head: Sendable, Equatable {
        public let size: Int64
        public let etag: String
        /// The lowercase hex SHA-256 of the whole object recorded at upload: the store's `x-amz-checksum-sha256`, or for a
        /// multipart object the `x-amz-meta-sha256` this client wrote.
        public let sha256: String?
        /// `Last-Modified`, in seconds since 1970 (0 when the store sent none).
        public let modified: Int
    }

    /// The condition of a PUT.
    public enum Condition: Sendable, Equatable {
        case none
        /// `If-None-Match: *`: only if there is no such object.
        case absent
        /// `If-Match: <etag>`: only if the object is still this version.
        case etag(String)
    }

    // MARK: Objects

    /// Uploads `data` (a small object: a manifest) with its checksum, if `condition` holds; returns the new ETag.
    /// A failed condition throws an ``S3Error`` whose ``S3Error/isPreconditionFailed`` is true.
    @discardableResult
    public func put(_ data: Data, key: String, condition: Condition = .none, contentType: String = "application/json") async throws -> String {
        let digest = Data(SHA256.hash(data: data))
        var headers = [("content-type", contentType), ("x-amz-checksum-sha256", digest.base64EncodedString()),
                       ("x-amz-meta-sha256", hexString(digest))]
        switch condition {
        case .none: break
        case .absent: headers.append(("if-none-match", "*"))
        case .etag(let etag): headers.append(("if-match", etag))
        }
        do {
            let response = try await send(.PUT, "PutObject", key: key, headers: headers, body: .data(data),
                                          payloadSHA256: hexString(digest), retryable: condition == .none)
            // The ETag is the version the next conditional write names: without one there is no safe next write.
            guard !response.etag.isEmpty else {
                throw S3Error(operation: "PutObject", key: key, status: response.status, code: "no ETag in the answer", message: "")
            }
            return response.etag
        } catch let error as S3Error where !error.isPreconditionFailed && condition != .none && error.isRetryable {
            // A conditional PUT is not blindly retried: if its attempt landed, a retry would fail its own condition.
            if let head = try? await head(key), head.sha256 == hexString(digest) { return head.etag }
            return try await send(.PUT, "PutObject", key: key, headers: headers, body: .data(data),
                                  payloadSHA256: hexString(digest), retryable: false).etag
        }
    }

    /// Uploads the local file at `file` whose SHA-256 is `sha256` (lowercase hex): one PUT with its checksum up to
    /// ``multipartThreshold``, else a multipart upload with a checksum per part (aborted on failure, so no part
    /// lingers). The store checks the bytes against the checksums and refuses a mismatch.
    public func upload(_ file: URL, key: String, sha256: String, size: Int64, contentType: String) async throws {
        if size <= Self.multipartThreshold {
            guard let digest = Data(hex: sha256) else { throw S3Error(operation: "PutObject", key: key, status: 0, code: "bad checksum", message: "") }
            _ = try await send(.PUT, "PutObject", key: key,
                               headers: [("content-type", contentType), ("x-amz-checksum-sha256", digest.base64EncodedString()),
                                         ("x-amz-meta-sha256", sha256)],
                               body: .file(file, offset: 0, length: size), payloadSHA256: sha256)
        } else {
            // Each part is hashed as it goes up (its checksum), and the whole file is hashed beside the parts, on another
            // core: the upload completes only if the whole is the one the caller recorded.
            try await uploadMultipart(file, key: key, size: size, contentType: contentType, sha256: sha256) {
                let whole = hexString(try await Self.digest(of: file, offset: 0, length: size))
                guard whole == sha256 else {
                    throw S3Error(operation: "PutObject", key: key, status: 0, code: "BadDigest",
                                  message: "the file's SHA-256 is \(whole), not the \(sha256) recorded for it")
                }
            }
        }
    }

    /// Uploads the local file at `file` as ``upload(_:key:sha256:size:contentType:)`` does, hashing it on the way: one
    /// read for the hashes (the whole file's and, above ``multipartThreshold``, each part's), one for the upload.
    /// Returns the file's lowercase hex SHA-256.
    @discardableResult
    public func upload(_ file: URL, key: String, size: Int64, contentType: String) async throws -> String {
        guard size > Self.multipartThreshold else {
            let digest = hexString(try await Self.digest(of: file, offset: 0, length: size))
            try await upload(file, key: key, sha256: digest, size: size, contentType: contentType)
            return digest
        }
        let (whole, parts) = try await Self.digests(of: file, size: size)
        try await uploadMultipart(file, key: key, size: size, contentType: contentType, sha256: hexString(whole), partDigests: parts)
        return hexString(whole)
    }

    /// The object's size, ETag and recorded checksum; `nil` if there is none.
    public func head(_ key: String) async throws -> Head? {
        do {
            let response = try await send(.HEAD, "HeadObject", key: key, headers: [("x-amz-checksum-mode", "ENABLED")])
            let checksum = response.headers.first(name: "x-amz-checksum-sha256")
                .flatMap { Data(base64Encoded: $0) }.flatMap { $0.count == 32 ? hexString($0) : nil }
            let composite = response.headers.first(name: "x-amz-checksum-type")?.uppercased() == "COMPOSITE"
            // A multipart object's checksum is of its parts' checksums: the whole file's is in the metadata this client
            // wrote beside it (computed from the same bytes the parts' checksums were checked against).
            let meta = response.headers.first(name: "x-amz-meta-sha256").flatMap { Data(hex: $0) != nil && $0.count == 64 ? $0.lowercased() : nil }
            return Head(size: Int64(response.headers.first(name: "content-length") ?? "") ?? 0, etag: response.etag,
                        sha256: (composite ? nil : checksum) ?? meta,
                        modified: response.headers.first(name: "last-modified").flatMap(Self.httpDate) ?? 0)
        } catch let error as S3Error where error.status == 404 {
            return nil
        }
    }

    /// A small object's bytes, `nil` if there is none; larger than `limit` throws ``TooLarge``.
    public func get(_ key: String, limit: Int) async throws -> (data: Data, etag: String)? {
        do {
            let response = try await send(.GET, "GetObject", key: key, collect: limit)
            return (response.body, response.etag)
        } catch let error as S3Error where error.status == 404 {
            return nil
        }
    }

    /// An object larger than what its reader takes.
    public struct TooLarge: Error {
        public let bytes: Int64
    }

    /// Streams the object (or `range`, an HTTP `Range` value) to `body`; returns the response's head first through
    /// `head`. For serving a file: nothing is buffered beyond one chunk. `nil` if there is no such object.
    /// With `ifMatch` (an ETag), a changed object fails (412) instead of serving other bytes under the old validator;
    /// a `range` must come back as that range (206). Without a read timeout: the consumer sets the pace (a paused player).
    public func stream(_ key: String, range: String? = nil, ifMatch: String? = nil) async throws -> HTTPClientResponse? {
        try await get(key, range: range, ifMatch: ifMatch, http: streamingHTTP)
    }

    /// GetObject through `http`: ``streamingHTTP`` for a consumer that may stop reading, ``http`` (its read timeout) for
    /// one that never does, so that a server that stops sending fails the request instead of holding it for ever.
    private func get(_ key: String, range: String?, ifMatch: String?, http: HTTPClient) async throws -> HTTPClientResponse? {
        var headers: [(String, String)] = []
        if let range { headers.append(("range", range)) }
        if let ifMatch { headers.append(("if-match", ifMatch)) }
        let request = try request(.GET, key: key, headers: headers, payloadSHA256: Self.emptySHA256)
        let response = try await execute(request, operation: "GetObject", key: key, http: http)
        if response.status == .notFound { return nil }
        guard response.status == (range == nil ? .ok : .partialContent) else {
            throw try await Self.error(response, operation: "GetObject", key: key)
        }
        return response
    }

    /// Downloads the object to the local file `destination` (created or truncated) and fsyncs it; returns its size, `nil`
    /// if there is no such object. Up to 32 MiB one GET; above, ranged GETs of ``partSize``, ``partConcurrency`` at once,
    /// each written at its place, all tied by `If-Match` to the version the HEAD saw (a changed object fails instead of
    /// mixing two). Memory stays at about a MiB per GET in flight whatever the size. The bytes are not hashed here:
    /// ``sha256(_:)`` reads an object through, and a decoder checks what it reads.
    public func download(_ key: String, to destination: URL) async throws -> Int64? {
        guard let head = try await head(key) else { return nil }
        let sink = try FileSink(destination)
        defer { sink.close() }
        let size = head.size
        if size <= 2 * Self.partSize {
            try await receive(key, range: nil, etag: head.etag, into: sink, at: 0, length: size)
        } else {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var offset: Int64 = 0
                func add() {
                    let (start, length) = (offset, Swift.min(Self.partSize, size - offset))
                    group.addTask {
                        try await receive(key, range: "bytes=\(start)-\(start + length - 1)", etag: head.etag, into: sink,
                                          at: start, length: length)
                    }
                    offset += length
                }
                for _ in 0..<Self.partConcurrency where offset < size { add() }
                while try await group.next() != nil {
                    if offset < size { add() }
                }
            }
        }
        try await sink.sync()
        return size
    }

    /// One GET (whole, or `range`) written into `sink` from `at`, in pieces of about 1 MiB; exactly `length` bytes.
    private func receive(_ key: String, range: String?, etag: String, into sink: FileSink, at start: Int64, length: Int64) async throws {
        // Read at disk speed, so the read timeout applies: a server that stops sending fails the download.
        guard let response = try await get(key, range: range, ifMatch: etag, http: http) else {
            throw S3Error(operation: "GetObject", key: key, status: 404, code: "NoSuchKey", message: "deleted during the download")
        }
        var written: Int64 = 0
        var pending = ByteBuffer()
        for try await buffer in response.body {
            var buffer = buffer
            pending.writeBuffer(&buffer)
            if pending.readableBytes >= FileChunks.chunk {
                guard written + Int64(pending.readableBytes) <= length else { break }
                try await sink.write(pending, at: start + written)
                written += Int64(pending.readableBytes)
                pending.clear()
            }
        }
        if pending.readableBytes > 0, written + Int64(pending.readableBytes) <= length {
            try await sink.write(pending, at: start + written)
            written += Int64(pending.readableBytes)
            pending.clear()
        }
        guard written == length, pending.readableBytes == 0 else {
            throw S3Error(operation: "GetObject", key: key, status: 200, code: "length mismatch",
                          message: "\(written + Int64(pending.readableBytes)) bytes, expected \(length)")
        }
    }

    /// The object's lowercase hex SHA-256, read through by streaming (never from the recorded checksum); `nil` if
    /// there is none.
    public func sha256(_ key: String) async throws -> String? {
        guard let response = try await stream(key) else { return nil }
        var hasher = SHA256()
        for try await buffer in response.body {
            buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }
        return hexString(hasher.finalize())
    }

    /// Deletes the object; a missing one is not an error (S3 answers 204 either way).
    public func delete(_ key: String) async throws {
        _ = try await send(.DELETE, "DeleteObject", key: key)
    }

    /// Every key under `prefix` (ListObjectsV2, following continuation tokens), sorted as S3 returns them (UTF-8
    /// byte order).
    public func list(prefix: String, limit: Int? = nil) async throws -> [(key: String, size: Int64)] {
        var found: [(key: String, size: Int64)] = []
        try await pages(prefix: prefix, extra: limit.map { [("max-keys", String($0))] } ?? []) { xml in
            found += zip(xml.all("Key"), xml.all("Size")).map { ($0, Int64($1) ?? 0) }
            return limit.map { found.count < $0 } ?? true
        }
        return found
    }

    /// The common prefixes one level under `prefix` (ListObjectsV2 with delimiter `/`): the "directories" there.
    public func prefixes(under prefix: String) async throws -> [String] {
        var found: [String] = []
        try await pages(prefix: prefix, extra: [("delimiter", "/")]) { xml in
            found += xml.prefixes
            return true
        }
        return found
    }

    /// ListObjectsV2 under `prefix`, page after page (continuation tokens), each page to `page` until it answers false.
    private func pages(prefix: String, extra: [(String, String)], _ page: (S3XML) -> Bool) async throws {
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)] + extra
            if let token { query.append(("continuation-token", token)) }
            let response = try await send(.GET, "ListObjectsV2", key: nil, query: query, collect: 8 << 20)
            guard let xml = S3XML.parse(response.body) else {
                throw S3Error(operation: "ListObjectsV2", key: prefix, status: 200, code: "unreadable answer", message: "")
            }
            guard page(xml) else { return }
            token = xml.first("IsTruncated") == "true" ? xml.first("NextContinuationToken") : nil
        } while token != nil
    }

    /// An IMF-fixdate (`Tue, 01 Dec 2026 06:00:00 GMT`) in seconds since 1970.
    static func httpDate(_ text: String) -> Int? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var components = DateComponents(timeZone: TimeZone(identifier: "UTC"), year: year, month: month + 1, day: day,
                                        hour: clock[0], minute: clock[1], second: clock[2])
        components.calendar = Calendar(identifier: .gregorian)
        return components.date.map { Int($0.timeIntervalSince1970) }
    }

    static let emptySHA256 = SigV4Signer.emptyPayloadSHA256
}

extension Data {
    /// Bytes from lowercase or uppercase hex; `nil` for anything else.
    init?(hex: String) {
        guard hex.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
