import Foundation
import Testing

/// `/files/…` on the admin listener, over real HTTP on 127.0.0.1: exactly the files a manifest records, whatever the
/// encoding of the path; nothing through a symbolic link; ranges as RFC 9110 §14 says; content types; HEAD.
@Suite struct ServeFilesTests {
    static func withFixture(_ body: @Sendable (ServedCatalogFixture, InProcessServe) async throws -> Void) async throws {
        let fixture = try await ServedCatalogFixture.make()
        defer { fixture.remove() }
        try await InProcessServe.with(root: fixture.root) { serve in try await body(fixture, serve) }
    }

    @Test func everyRecordedFileIsServedWhole() async throws {
        try await Self.withFixture { fixture, serve in
            for (path, bytes) in fixture.recorded {
                let reply = try await serve.admin("/files/\(path)")
                #expect(reply.status == 200, "\(path): \(reply)")
                #expect(reply.body == bytes, "\(path)")
                #expect(reply.header("Accept-Ranges") == "bytes")
                #expect(reply.header("X-Content-Type-Options") == "nosniff")
            }
        }
    }

    /// The path is decoded once, before routing: an encoded recorded path is the same file, an encoded hidden one
    /// is the same 404.
    @Test func encodedPathsAreDecodedOnceBeforeRouting() async throws {
        try await Self.withFixture { fixture, serve in
            let encodedFiles = "/%66iles/" + fixture.sourcePath.replacingOccurrences(of: "source", with: "%73ource")
            let reply = try await serve.admin(encodedFiles)
            #expect(reply.status == 200 && reply.body == fixture.recorded[fixture.sourcePath], "\(reply)")
            let dotted = "/files/\(fixture.taskPath)/0/preview/%2e/thumbs/%2E%2E/source.mp4"
            #expect(try await serve.admin(dotted).body == fixture.recorded[fixture.sourcePath])
        }
    }

    @Test func nothingElseIsServedHoweverItIsWritten() async throws {
        try await Self.withFixture { fixture, serve in
            var targets: [String] = []
            for path in fixture.hidden {
                targets.append("/files/\(path)")
                targets.append("/%66iles/\(path)")
                targets.append("/files/" + path.replacingOccurrences(of: "/", with: "%2f"))
                targets.append("/files%2f" + path)
                targets.append("/files/" + path.replacingOccurrences(of: ".", with: "%2e"))
            }
            targets += [
                "/%66iles/index.sqlite", "/files%2findex.sqlite", "/%66iles/queue/done/job-1.json", "/files/index.sqlite-wal",
                "/files/\(fixture.taskPath)/0/preview/source.mp4%00", "/files/\(fixture.taskPath)/0/preview/..%5csource.mp4",
                "/files/\(fixture.taskPath)/0/preview%2fsource.mp4", "/files/\(fixture.taskPath)/0/preview/%zz",
                "/files/\(fixture.taskPath)/0/preview/source.mp4%3F", "/files/../index.sqlite", "/files/tasks/../../../etc/passwd",
                "/files/\(fixture.taskPath)", "/files/\(fixture.taskPath)/0/preview/", "/files/", "/files", "/x", "/%2e%2e/etc/passwd",
                "/files/tasks/00/\(fixture.taskId)/0/preview/source.mp4", // wrong shard
                "/files/\(fixture.taskPath)/0/preview/thumbs/002.jpg",    // recorded, but a link to /etc/passwd
                "/files/\(fixture.taskPath)/1/export/source.mp4",         // recorded, but through a linked directory
            ]
            for target in targets {
                let reply = try await serve.admin(target)
                #expect(reply.status == 404, "\(target): \(reply)")
                #expect(!reply.text.contains("root:"), "\(target)")
            }
            for target in ["/files/\(fixture.taskPath)/manifest.json", "/files/\(fixture.taskPath)/.lock"] {
                #expect(try await serve.admin(target, method: "HEAD").status == 404, "HEAD \(target)")
            }
        }
    }

    @Test func contentTypes() async throws {
        try await Self.withFixture { fixture, serve in
            let asset = "/files/\(fixture.taskPath)/0/preview"
            for (file, type) in [("source.mp4", "video/mp4"), ("poster.jpg", "image/jpeg"), ("thumbs/003.webp", "image/webp"),
                                 ("thumbs/004.png", "image/png"), ("storyboard/storyboard.vtt", "text/vtt")] {
                let reply = try await serve.admin("\(asset)/\(file)")
                #expect(reply.header("Content-Type")?.hasPrefix(type) == true, "\(file): \(reply.header("Content-Type") ?? "none")")
            }
        }
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        try await Self.withFixture { fixture, serve in
            let size = fixture.recorded[fixture.sourcePath]!.count
            let head = try await serve.admin("/files/\(fixture.sourcePath)", method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "\(size)", "\(head)")
            #expect(head.header("Accept-Ranges") == "bytes" && head.header("Content-Type") == "video/mp4")
            for route in ["/healthz", "/metrics", "/api/tasks", "/api/tasks/\(fixture.taskId)", "/"] {
                let reply = try await serve.admin(route, method: "HEAD")
                #expect(reply.status == 200 && reply.body.isEmpty, "HEAD \(route): \(reply)")
            }
        }
    }

    @Test func ranges() async throws {
        try await Self.withFixture { fixture, serve in
            let bytes = fixture.recorded[fixture.sourcePath]!
            let size = bytes.count
            let target = "/files/\(fixture.sourcePath)"
            func get(_ range: String, _ extra: [(String, String)] = []) async throws -> HTTPReply {
                try await serve.admin(target, headers: [("Range", range)] + extra)
            }
            // Suffix: the last 500 bytes.
            var reply = try await get("bytes=-500")
            #expect(reply.status == 206 && reply.body == bytes.suffix(500), "\(reply.status)")
            #expect(reply.header("Content-Range") == "bytes \(size - 500)-\(size - 1)/\(size)")
            #expect(reply.header("Content-Length") == "500")
            // A suffix longer than the file: all of it.
            reply = try await get("bytes=-\(size * 2)")
            #expect(reply.status == 206 && reply.body == bytes && reply.header("Content-Range") == "bytes 0-\(size - 1)/\(size)")
            // Ordinary, open-ended and clipped ranges.
            reply = try await get("bytes=10-19")
            #expect(reply.status == 206 && reply.body == bytes[10...19] && reply.header("Content-Range") == "bytes 10-19/\(size)")
            reply = try await get("bytes=\(size - 10)-")
            #expect(reply.status == 206 && reply.body == bytes.suffix(10))
            reply = try await get("bytes=\(size - 10)-\(size + 1000)")
            #expect(reply.status == 206 && reply.body == bytes.suffix(10) && reply.header("Content-Range") == "bytes \(size - 10)-\(size - 1)/\(size)")
            reply = try await get("bytes=0-99999999999999999999999")
            #expect(reply.status == 206 && reply.body == bytes)
            // Unsatisfiable: 416 with bytes */SIZE and no body.
            for range in ["bytes=-0", "bytes=\(size)-", "bytes=\(size + 5)-\(size + 10)", "bytes=\(size)-\(size)"] {
                reply = try await get(range)
                #expect(reply.status == 416 && reply.header("Content-Range") == "bytes */\(size)", "\(range): \(reply)")
                #expect(reply.body.count < 100, "\(range)")
            }
            // Malformed or another unit: ignored, the whole file.
            for range in ["bytes=5-2", "bytes=abc", "items=0-1", "bytes=-", "bytes=1-2-3", "bytes= -5x"] {
                reply = try await get(range)
                #expect(reply.status == 200 && reply.body == bytes, "\(range): \(reply.status)")
            }
            // Several ranges: a correct multipart/byteranges body.
            reply = try await get("bytes=0-9, 100-109,-5")
            #expect(reply.status == 206)
            let type = reply.header("Content-Type") ?? ""
            #expect(type.hasPrefix("multipart/byteranges; boundary="))
            let boundary = String(type.dropFirst("multipart/byteranges; boundary=".count))
            let parts = Self.multipartParts(reply.body, boundary: boundary)
            #expect(parts.map(\.range) == ["bytes 0-9/\(size)", "bytes 100-109/\(size)", "bytes \(size - 5)-\(size - 1)/\(size)"])
            #expect(parts.map(\.body) == [bytes[0...9], bytes[100...109], bytes.suffix(5)].map { Data($0) })
            #expect(reply.header("Content-Length") == "\(reply.body.count)")
            // Overlapping ranges merge into one.
            reply = try await get("bytes=0-9,5-19")
            #expect(reply.status == 206 && reply.body == bytes[0...19] && reply.header("Content-Range") == "bytes 0-19/\(size)")
            // If-Range: a stale validator gets the whole file; the current one gets the range.
            let etag = try #require(reply.header("ETag"))
            reply = try await get("bytes=0-9", [("If-Range", "\"stale\"")])
            #expect(reply.status == 200 && reply.body == bytes)
            reply = try await get("bytes=0-9", [("If-Range", etag)])
            #expect(reply.status == 206 && reply.body == bytes[0...9])
            // If-None-Match with the current validator: 304.
            reply = try await serve.admin(target, headers: [("If-None-Match", etag)])
            #expect(reply.status == 304 && reply.body.isEmpty)
        }
    }

    /// Splits a multipart/byteranges body into (Content-Range, bytes) parts.
    static func multipartParts(_ body: Data, boundary: String) -> [(range: String, body: Data)] {
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [(String, Data)] = []
        var rest = body[...]
        while let start = rest.range(of: delimiter) {
            rest = rest[start.upperBound...]
            if rest.starts(with: Data("--".utf8)) { break }
            guard let headEnd = rest.range(of: Data("\r\n\r\n".utf8)) else { break }
            let head = String(decoding: rest[..<headEnd.lowerBound], as: UTF8.self)
            let range = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-range:") }
                .map { $0.dropFirst("content-range:".count).trimmingCharacters(in: .whitespaces) } ?? ""
            rest = rest[headEnd.upperBound...]
            guard let next = rest.range(of: Data("\r\n--\(boundary)".utf8)) else { break }
            parts.append((range, Data(rest[..<next.lowerBound])))
            rest = rest[next.lowerBound...]
        }
        return parts
    }
}
