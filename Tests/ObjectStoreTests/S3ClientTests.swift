import Crypto
import Foundation
import ObjectStore
import Testing

/// The S3 calls against a real server (SeaweedFS): it refuses bad signatures, wrong checksums and failed conditions.
@Suite("S3 client", .enabled(if: S3TestServer.available))
struct S3ClientTests {
    /// A file of `bytes` bytes (a 4 099-byte pattern repeated: cheap to make even in a debug build, which matters: the
    /// test process's two cooperative threads also serve the in-process HTTP servers of other tests).
    static func file(_ bytes: Int, seed: UInt8) throws -> (URL, String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reel-s3-\(UUID().uuidString).bin")
        let pattern = Data((0..<4099).map { UInt8(truncatingIfNeeded: $0 &* 131) ^ seed })
        var data = Data(capacity: bytes)
        while data.count < bytes { data.append(pattern.prefix(bytes - data.count)) }
        try data.write(to: url)
        return (url, SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
    }

    enum Oracle {
        static func sha256(_ url: URL) throws -> String {
            SHA256.hash(data: try Data(contentsOf: url)).map { String(format: "%02x", $0) }.joined()
        }
    }

    @Test func aWrongSecretIsRefusedAndTheErrorSaysWhatToCheck() async throws {
        var wrong = S3TestServer.credentials
        wrong.secretAccessKey += "x"
        let client = try S3TestServer.client(credentials: wrong)
        let error = await #expect(throws: S3Error.self) { try await client.put(Data("x".utf8), key: client.location.key("k")) }
        #expect(error?.status == 403, "\(String(describing: error))")
        #expect(error?.description.contains("AWS_SECRET_ACCESS_KEY") == true, "\(String(describing: error))")
        #expect(error?.description.contains(wrong.secretAccessKey) == false)
    }

    @Test func bytesThatDoNotMatchTheirChecksumAreRefusedAndNothingIsStored() async throws {
        let client = try S3TestServer.client()
        let (url, _) = try Self.file(100_000, seed: 1)
        let (other, otherDigest) = try Self.file(10, seed: 2)
        defer {
            try? FileManager.default.removeItem(at: url)
            try? FileManager.default.removeItem(at: other)
        }
        await #expect(throws: S3Error.self) {
            try await client.upload(url, key: client.location.key("bad.bin"), sha256: otherDigest, size: 100_000, contentType: "application/octet-stream")
        }
        #expect(try await client.head(client.location.key("bad.bin")) == nil)
    }

    @Test func aLargeFileGoesUpInPartsWholeAndHashed() async throws {
        let client = try S3TestServer.client()
        let size = Int(S3Client.multipartThreshold) + 3 * 1_048_576 + 17
        let (url, digest) = try Self.file(size, seed: 3)
        defer { try? FileManager.default.removeItem(at: url) }
        // Hashed in the same read as its parts' checksums.
        let hashed = try await client.upload(url, key: client.location.key("big.bin"), size: Int64(size), contentType: "application/octet-stream")
        #expect(hashed == digest)
        #expect(try await client.head(client.location.key("big.bin"))?.size == Int64(size))
        #expect(try await client.sha256(client.location.key("big.bin")) == digest)
        let back = FileManager.default.temporaryDirectory.appendingPathComponent("reel-s3-back-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: back) }
        // Ranged GETs in parallel, each written at its place: the same bytes.
        let fetched = try await client.download(client.location.key("big.bin"), to: back)
        #expect(fetched == Int64(size))
        #expect(try Oracle.sha256(back) == digest)
    }

    @Test func aMultipartUploadThatFailsLeavesNothing() async throws {
        let client = try S3TestServer.client()
        let size = Int(S3Client.multipartThreshold) + 1_048_576
        let (url, digest) = try Self.file(size, seed: 4)
        defer { try? FileManager.default.removeItem(at: url) }
        // The file is shorter than announced: a part cannot be read whole, the upload is aborted.
        await #expect(throws: (any Error).self) {
            try await client.upload(url, key: client.location.key("short.bin"), sha256: digest, size: Int64(size) + 20 << 20, contentType: "application/octet-stream")
        }
        #expect(try await client.head(client.location.key("short.bin")) == nil)
        // A file whose bytes are not the ones recorded for it: every part goes up, the whole does not match, nothing
        // is completed.
        let (other, _) = try Self.file(10, seed: 5)
        defer { try? FileManager.default.removeItem(at: other) }
        let wrong = try Oracle.sha256(other)
        await #expect(throws: S3Error.self) {
            try await client.upload(url, key: client.location.key("wrong.bin"), sha256: wrong, size: Int64(size), contentType: "application/octet-stream")
        }
        #expect(try await client.head(client.location.key("wrong.bin")) == nil)
    }

    @Test func conditionalWritesRefuseAStaleWriter() async throws {
        let client = try S3TestServer.client()
        let first = try await client.put(Data("1".utf8), key: client.location.key("m.json"), condition: .absent)
        let again = await #expect(throws: S3Error.self) { try await client.put(Data("2".utf8), key: client.location.key("m.json"), condition: .absent) }
        #expect(again?.isPreconditionFailed == true, "\(String(describing: again))")
        let second = try await client.put(Data("2".utf8), key: client.location.key("m.json"), condition: .etag(first))
        let stale = await #expect(throws: S3Error.self) { try await client.put(Data("3".utf8), key: client.location.key("m.json"), condition: .etag(first)) }
        #expect(stale?.isPreconditionFailed == true)
        #expect(try await client.get(client.location.key("m.json"), limit: 100)?.data == Data("2".utf8))
        #expect(try await client.get(client.location.key("m.json"), limit: 100)?.etag == second)
    }

    @Test func rangesListingsAndDeletes() async throws {
        let client = try S3TestServer.client()
        try await client.put(Data("0123456789abcdefghij".utf8), key: client.location.key("a/b c+d.txt"), contentType: "text/plain")
        try await client.put(Data("x".utf8), key: client.location.key("a/z.txt"), contentType: "text/plain")
        let response = try #require(try await client.stream(client.location.key("a/b c+d.txt"), range: "bytes=10-14"))
        #expect(response.status == .partialContent)
        var body = Data()
        for try await buffer in response.body { body.append(contentsOf: buffer.readableBytesView) }
        #expect(body == Data("abcde".utf8))
        let prefix = client.location.key("a/")
        #expect(try await client.list(prefix: prefix).map(\.key) == [prefix + "b c+d.txt", prefix + "z.txt"])
        try await client.delete(client.location.key("a/z.txt"))
        try await client.delete(client.location.key("a/z.txt"))
        #expect(try await client.head(client.location.key("a/z.txt")) == nil)
        #expect(try await client.get(client.location.key("missing"), limit: 10) == nil)
    }
}
