import Crypto
import Foundation
import NIOCore
import ReelBasics

extension S3Client {
    /// A multipart upload of a local file: CreateMultipartUpload with SHA-256 checksums, the parts
    /// (``partConcurrency`` at a time, each with its `x-amz-checksum-sha256` and signed payload hash), then
    /// CompleteMultipartUpload listing every part's ETag and checksum. Any failure aborts the upload, so the store
    /// keeps no parts; nothing is visible under `key` before the completion.
    /// `beforeCompletion` runs beside the parts and must succeed before the upload is completed (a check of the whole).
    func uploadMultipart(_ file: URL, key: String, size: Int64, contentType: String, sha256: String,
                         partDigests: [[UInt8]]? = nil,
                         beforeCompletion: (@Sendable () async throws -> Void)? = nil) async throws {
        let created = try await send(.POST, "CreateMultipartUpload", key: key, query: [("uploads", "")],
                                     headers: [("content-type", contentType), ("x-amz-checksum-algorithm", "SHA256"),
                                               ("x-amz-meta-sha256", sha256)])
        guard let uploadId = S3XML.parse(created.body)?.first("UploadId"), !uploadId.isEmpty else {
            throw S3Error(operation: "CreateMultipartUpload", key: key, status: created.status, code: "no UploadId", message: "")
        }
        let check = beforeCompletion.map { body in Task { try await body() } }
        defer { check?.cancel() }
        do {
            let count = Int((size + Self.partSize - 1) / Self.partSize)
            var parts = [(etag: String, checksum: String)?](repeating: nil, count: count)
            try await withThrowingTaskGroup(of: (Int, String, String).self) { group in
                var next = 0
                func add() {
                    let number = next + 1, offset = Int64(next) * Self.partSize
                    let length = min(Self.partSize, size - offset)
                    let known = partDigests?[number - 1]
                    group.addTask {
                        try await uploadPart(file, key: key, uploadId: uploadId, number: number, offset: offset, length: length, digest: known)
                    }
                    next += 1
                }
                while next < min(count, Self.partConcurrency) { add() }
                while let (number, etag, checksum) = try await group.next() {
                    parts[number - 1] = (etag, checksum)
                    if next < count { add() }
                }
            }
            try await check?.value
            let body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + parts.enumerated().map { index, part in
                    "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(Self.xmlEscaped(part!.etag))</ETag>"
                        + "<ChecksumSHA256>\(part!.checksum)</ChecksumSHA256></Part>"
                }.joined() + "</CompleteMultipartUpload>"
            let data = Data(body.utf8)
            let completed = try await send(.POST, "CompleteMultipartUpload", key: key, query: [("uploadId", uploadId)],
                                           headers: [("content-type", "application/xml")], body: .data(data),
                                           payloadSHA256: hexString(SHA256.hash(data: data)))
            // S3 can answer 200 with an error in the body.
            if let code = S3XML.parse(completed.body)?.first("Code") {
                throw S3Error(operation: "CompleteMultipartUpload", key: key, status: 200, code: code, message: "")
            }
        } catch {
            // Aborted even when the run was cancelled (a shutdown, a lost lease): an unstructured task does not inherit
            // the cancellation, and the abort is awaited.
            let abort = Task { try await send(.DELETE, "AbortMultipartUpload", key: key, query: [("uploadId", uploadId)]) }
            do {
                _ = try await abort.value
            } catch let failure {
                logger.warning("multipart upload not aborted; its parts stay until a lifecycle rule (AbortIncompleteMultipartUpload) removes them",
                               metadata: ["s3.key": "\(key)", "error": "\(failure)"])
            }
            throw error
        }
    }

    /// One part: its checksum and payload hash (given, or hashed from the file first), then streamed from the file.
    private func uploadPart(_ file: URL, key: String, uploadId: String, number: Int, offset: Int64, length: Int64,
                            digest known: [UInt8]?) async throws -> (Int, String, String) {
        let digest = if let known { known } else { try await Self.digest(of: file, offset: offset, length: length) }
        let checksum = Data(digest).base64EncodedString()
        let response = try await send(.PUT, "UploadPart", key: key,
                                      query: [("partNumber", String(number)), ("uploadId", uploadId)],
                                      headers: [("x-amz-checksum-sha256", checksum)],
                                      body: .file(file, offset: offset, length: length), payloadSHA256: hexString(digest))
        return (number, response.etag, checksum)
    }

    /// The SHA-256 of `length` bytes of `file` from `offset`.
    static func digest(of file: URL, offset: Int64, length: Int64) async throws -> [UInt8] {
        var hasher = SHA256()
        for try await chunk in FileChunks(url: file, offset: offset, length: length) {
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }
        return Array(hasher.finalize())
    }

    /// The SHA-256 of the whole file and of each ``partSize`` part, in one read.
    static func digests(of file: URL, size: Int64) async throws -> (whole: [UInt8], parts: [[UInt8]]) {
        var whole = SHA256(), part = SHA256()
        var parts: [[UInt8]] = []
        var inPart: Int64 = 0
        for try await chunk in FileChunks(url: file, offset: 0, length: size) {
            var chunk = chunk
            while chunk.readableBytes > 0 {
                let take = Int(Swift.min(Int64(chunk.readableBytes), partSize - inPart))
                let piece = chunk.readSlice(length: take)!
                piece.withUnsafeReadableBytes { whole.update(bufferPointer: $0); part.update(bufferPointer: $0) }
                inPart += Int64(take)
                if inPart == partSize {
                    parts.append(Array(part.finalize()))
                    part = SHA256()
                    inPart = 0
                }
            }
        }
        if inPart > 0 { parts.append(Array(part.finalize())) }
        return (Array(whole.finalize()), parts)
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
