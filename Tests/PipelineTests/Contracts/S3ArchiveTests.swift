import Catalog
import Foundation
import ReelTestSupport
import Testing

/// The catalog's bytes in an S3 bucket (SeaweedFS, which checks signatures, checksums and conditions), its index and
/// locks in PostgreSQL: what is archived is in the bucket whole (read back with awscli), nothing lands under
/// `REEL_STORAGE`, and ls, show, verify and the file route work on it.
@Suite("The catalog on S3", .enabled(if: PostgresTestDatabase.isAvailable && S3Oracle.isAvailable))
struct S3ArchiveTests {
    @Test func anArchivedTaskIsInTheBucketWholeAndNothingIsLocal() async throws {
        try await PostgresTestDatabase.withDatabase { _, url in
            let prefix = "e2e-\(UUID().uuidString.prefix(8).lowercased())"
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-scratch-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            try await withBench(extra: S3Oracle.settings(prefix: prefix, scratch: scratch).merging(["REEL_DATABASE_URL": url]) { $1 }) { bench in
                let migrated = try await bench.reel("db", "migrate")
                #expect(migrated.status == 0, "\(migrated)")
                let task = taskId("ready")
                let run = try await bench.reel("archive", task)
                #expect(run.status == 0, "\(run)")
                let shard = CatalogLayout.shard(of: try TaskID(validating: task))
                #expect(run.stdout.contains("s3://\(S3Oracle.bucket)/\(prefix)/tasks/\(shard)/\(task)/"), "\(run)")
                #expect(!FileManager.default.fileExists(atPath: bench.storage.path), "nothing of the catalog under REEL_STORAGE")

                let (_, manifest) = try await bench.show(task)
                #expect(manifest.assets.map(\.state) == [.archived, .archived])
                #expect(manifest.writer != nil, "the holder that wrote it last is named")
                // Every object the manifest records is in the bucket with the recorded hash; each source is the file
                // the upstream served.
                let media = try await bench.mediaRequests(task)
                var recorded: [(String, String?)] = []
                for asset in manifest.assets {
                    recorded += [asset.source, asset.cover].compactMap { $0 }.map { ($0.path, $0.sha256) }
                    recorded += asset.renditions.map { ($0.path, $0.sha256) }
                    recorded += (asset.thumbnails + [asset.poster].compactMap { $0 }).map { ($0.path, $0.sha256) }
                    if let source = asset.source {
                        let served = try #require(media.first { $0.status == 200 && $0.path.hasSuffix("/\(asset.role.rawValue)-\(asset.scriptId).mp4") })
                        #expect(try await S3Oracle.sha256sum(bench.sandbox.media(served.file)) == source.sha256, "\(asset.role) is the served file")
                    }
                }
                for (path, sha256) in recorded {
                    let file = try await S3Oracle.fetch("\(prefix)/\(path)")
                    defer { try? FileManager.default.removeItem(at: file) }
                    if let sha256 { #expect(try await S3Oracle.sha256sum(file) == sha256, "\(path)") }
                }
                let keys = try await S3Oracle.keys(under: "\(prefix)/tasks/")
                let expected = Set(manifest.referencedPaths.map { "\(prefix)/\($0)" } + ["\(prefix)/tasks/\(shard)/\(task)/manifest.json"])
                #expect(Set(keys) == expected, "the bucket holds the recorded files and the manifest, nothing else")

                let listed = try await bench.ls()
                #expect(listed == [task])
                for arguments in [["verify", "--all"], ["verify", "--all", "--deep"]] {
                    let verify = try await bench.reel(arguments)
                    #expect(verify.status == 0, "\(verify)")
                }
                // A changed object whose store recorded its SHA-256 is found by HEAD alone; one stored without that
                // checksum only by --deep, which re-hashes every byte.
                let source = try #require(manifest.assets.first?.source)
                let local = try await S3Oracle.fetch("\(prefix)/\(source.path)")
                defer { try? FileManager.default.removeItem(at: local) }
                var bytes = try Data(contentsOf: local)
                bytes[bytes.count / 2] ^= 0xFF
                try bytes.write(to: local)
                let key = "\(prefix)/\(source.path)"
                try await S3Oracle.aws("s3api", "put-object", "--bucket", S3Oracle.bucket, "--key", key, "--body", local.path, "--checksum-algorithm", "SHA256")
                let shallow = try await bench.reel("verify", task, "--no-decode")
                #expect(shallow.status == 1 && shallow.stdout.contains(source.path) && shallow.stdout.contains("store recorded"), "\(shallow)")
                try await S3Oracle.aws("s3api", "put-object", "--bucket", S3Oracle.bucket, "--key", key, "--body", local.path, "--checksum-algorithm", "CRC32")
                let deep = try await bench.reel("verify", task, "--deep", "--no-decode")
                #expect(deep.status == 1 && deep.stdout.contains(source.path), "\(deep)")
                // A shorter object: its size tells, without a checksum.
                try bytes.prefix(1000).write(to: local)
                try await S3Oracle.aws("s3api", "put-object", "--bucket", S3Oracle.bucket, "--key", key, "--body", local.path, "--checksum-algorithm", "CRC32")
                let cut = try await bench.reel("verify", task, "--no-decode")
                #expect(cut.status == 1 && cut.stdout.contains("1000"), "\(cut)")
                #expect(!FileManager.default.fileExists(atPath: bench.storage.path))
            }
        }
    }

    @Test func theFileRouteStreamsObjectsWithRanges() async throws {
        try await PostgresTestDatabase.withDatabase { _, url in
            let prefix = "serve-\(UUID().uuidString.prefix(8).lowercased())"
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-scratch-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            try await withBench(extra: S3Oracle.settings(prefix: prefix, scratch: scratch).merging(["REEL_DATABASE_URL": url]) { $1 }) { bench in
                let task = taskId("ready")
                let serve = try await ServeProcess.start(bench)
                defer { serve.process.kill(SIGKILL) }
                #expect(try await serve.callback(callbackBody(taskId: task)).status == 200)
                try await serve.waitForTask(task, timeout: .seconds(300))
                let (_, manifest) = try await bench.show(task)
                let source = try #require(manifest.assets.first?.source)
                let whole = try await S3Oracle.fetch("\(prefix)/\(source.path)")
                defer { try? FileManager.default.removeItem(at: whole) }
                let bytes = try Data(contentsOf: whole)
                let full = try await serve.admin("GET", "/files/\(source.path)")
                #expect(full.status == 200 && full.body == bytes && full.header("Content-Type") == "video/mp4")
                let part = try await serve.admin("GET", "/files/\(source.path)", headers: [("Range", "bytes=100-199")])
                #expect(part.status == 206 && part.body == bytes[100..<200] && part.header("Content-Range") == "bytes 100-199/\(bytes.count)")
                let past = try await serve.admin("GET", "/files/\(source.path)", headers: [("Range", "bytes=\(bytes.count + 10)-")])
                #expect(past.status == 416)
                #expect(try await serve.admin("GET", "/files/tasks/\(source.path.split(separator: "/")[1])/\(task)/manifest.json").status == 404)
                let stopped = try await serve.stop()
                #expect(stopped.status == 0, "\(stopped)")
                #expect(!FileManager.default.fileExists(atPath: bench.storage.path), "nothing of the catalog under REEL_STORAGE")
            }
        }
    }

    @Test func healthzSaysWhenTheBucketCannotBeReached() async throws {
        try await PostgresTestDatabase.withDatabase { _, url in
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-scratch-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let refusing = try RefusingPort()
            var settings = S3Oracle.settings(prefix: "health", scratch: scratch)
            settings["REEL_DATABASE_URL"] = url
            try await withBench(extra: settings) { bench in
                let serve = try await ServeProcess.start(bench)
                #expect(try await serve.admin("GET", "/healthz").status == 200)
                #expect(try await serve.stop().status == 0)
                let cut = try await ServeProcess.start(bench, environment: ["REEL_S3_ENDPOINT": refusing.url])
                defer { cut.process.kill(SIGKILL) }
                let reply = try await cut.admin("GET", "/healthz")
                #expect(reply.status == 503 && String(decoding: reply.body, as: UTF8.self).contains("object store unavailable"), "\(reply)")
            }
            withExtendedLifetime(refusing) {}
        }
    }

    @Test func anS3StoreWithoutADatabaseIsAUsageError() async throws {
        try await withBench(extra: S3Oracle.settings(prefix: "none", scratch: FileManager.default.temporaryDirectory)) { bench in
            let run = try await bench.reel("archive", taskId("ready"))
            #expect(run.status == 2 && run.stderr.contains("REEL_DATABASE_URL"), "\(run)")
            let insecure = try await bench.reel("ls", environment: ["REEL_S3_ENDPOINT": "http://example.com:9000", "REEL_DATABASE_URL": "postgres://u@127.0.0.1:1/x"])
            #expect(insecure.status == 2 && insecure.stderr.contains("https://"), "\(insecure)")
            let secret = S3Oracle.environment["REEL_TEST_S3_SECRET_KEY"] ?? "unset"
            let noKeys = try await bench.reel("ls", environment: ["AWS_SECRET_ACCESS_KEY": nil, "REEL_DATABASE_URL": "postgres://u@127.0.0.1:1/x"])
            #expect(noKeys.status == 2 && noKeys.stderr.contains("AWS_SECRET_ACCESS_KEY"), "\(noKeys)")
            for result in [run, insecure, noKeys] { #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret)) }
        }
    }
}

/// `reel migrate --to-store`: an embedded catalog's files and manifests copied into the bucket, verified, resumable.
@Suite("Moving a catalog into S3", .enabled(if: PostgresTestDatabase.isAvailable && S3Oracle.isAvailable))
struct S3MigrationTests {
    @Test func aCatalogIsCopiedVerifiedAndARerunSendsNothing() async throws {
        try await PostgresTestDatabase.withDatabase { _, url in
            try await withBench { bench in
                let good = taskId("ready"), damaged = taskId("ready")
                for task in [good, damaged] { #expect(try await bench.reel("archive", task).status == 0) }
                // A still of one task no longer matches its manifest: it is reported and that task's manifest stays out.
                let still = try #require(try await bench.show(damaged).manifest.assets.first?.thumbnails.first)
                try Data("not the still".utf8).write(to: bench.file(still.path))
                let prefix = "migrate-\(UUID().uuidString.prefix(8).lowercased())"
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-scratch-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let s3 = S3Oracle.settings(prefix: prefix, scratch: scratch)
                var settings = s3.mapValues { Optional($0) }
                settings["REEL_STORE_URL"] = nil
                let first = try await bench.reel("migrate", "--to-store", "s3://\(S3Oracle.bucket)/\(prefix)", environment: settings)
                #expect(first.status == 1 && first.stdout.contains(still.path) && first.stdout.contains("no longer match"), "\(first)")
                let shard = { (task: String) in CatalogLayout.shard(of: try! TaskID(validating: task)) }
                #expect(try await S3Oracle.keys(under: "\(prefix)/tasks/\(shard(good))/\(good)/").contains("\(prefix)/tasks/\(shard(good))/\(good)/manifest.json"))
                #expect(try await !S3Oracle.keys(under: "\(prefix)/tasks/\(shard(damaged))/\(damaged)/").contains { $0.hasSuffix("/manifest.json") },
                        "no manifest names an object that is not there")
                // Repaired, then run again: only what was missing goes; once more, nothing goes.
                let repaired = try await bench.reel("verify", damaged, "--repair")
                #expect(repaired.status == 0, "\(repaired)")
                let second = try await bench.reel("migrate", "--to-store", "s3://\(S3Oracle.bucket)/\(prefix)", "--to-database", url, environment: settings)
                #expect(second.status == 0, "\(second)")
                let third = try await bench.reel("migrate", "--to-store", "s3://\(S3Oracle.bucket)/\(prefix)", environment: settings)
                #expect(third.status == 0 && third.stdout.contains("files: 0 uploaded"), "\(third)")
                // The deployment on the bucket lists both tasks and verifies them byte for byte.
                var onS3 = s3.mapValues { Optional($0) }
                onS3["REEL_DATABASE_URL"] = url
                let listed = try await bench.reel("ls", "--json", environment: onS3)
                #expect(listed.status == 0 && listed.stdout.contains(good) && listed.stdout.contains(damaged), "\(listed)")
                let verify = try await bench.reel("verify", "--all", "--deep", environment: onS3)
                #expect(verify.status == 0, "\(verify)")
            }
        }
    }
}
