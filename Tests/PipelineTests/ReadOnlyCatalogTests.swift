import Catalog
import Foundation
import ReelTestSupport
import Testing
import TopView
#if canImport(Glibc)
import Glibc
#endif

/// `reel ls`, `reel show` and `reel verify` on a read-only storage root (a mounted backup) of a catalog made by really
/// archiving sandbox tasks; the commands that write refuse it with exit 2. The root is a real read-only bind mount
/// (root ignores file modes, so chmod would prove nothing); skipped with a message where mounting is not permitted.
/// `reel jobs ls` / `reel watch ls` on such a root are `ReadOnlyRootTests`.
@Suite("Reading a catalog on a read-only storage root", .serialized)
struct ReadOnlyCatalogTests {
    @Test func lsShowVerifyWorkAndWritingCommandsRefuseWithExitTwo() async throws {
        try await withBench { bench in
            let ready = taskId("ready"), partial = taskId("partial")
            #expect(try await bench.reel("archive", ready, partial).status == 1)
            let listing = try await bench.reel("ls", "--json")
            let shown = try await bench.reel("show", ready, "--json")

            try await withReadOnlyMount(of: bench.storage) { backup in
                let before = bench.snapshot()
                let on = ["--storage", backup.path]
                let ls = try await bench.reel(["ls", "--json"] + on)
                #expect(ls.status == 0, "\(ls)")
                #expect(try JSONValue.parse(Array(ls.stdout.utf8)) == (try JSONValue.parse(Array(listing.stdout.utf8))), "\(ls)")
                let failed = try await bench.reel(["ls", "--state", "failed"] + on)
                let rows = failed.stdout.split(separator: "\n")
                #expect(failed.status == 0 && rows.count == 2 && rows[0].hasPrefix("TASK") && rows[1].hasPrefix(partial), "\(failed)")
                let show = try await bench.reel(["show", ready, "--json"] + on)
                #expect(show.status == 0 && show.stdout == shown.stdout, "\(show)")
                let verifyAll = try await bench.reel(["verify", "--all"] + on)
                #expect(verifyAll.status == 0 && verifyAll.stdout.contains("catalog is clean"), "\(verifyAll)")
                let verifyOne = try await bench.reel(["verify", ready, "--json"] + on)
                #expect(verifyOne.status == 0, "\(verifyOne)")
                #expect(try JSONValue.parse(Array(verifyOne.stdout.utf8)).arrayValue?.isEmpty == true, "\(verifyOne)")

                // Every command that writes names the root and says it is read-only, with exit 2, and changes nothing.
                for command in [["archive", taskId("ready")], ["archive", ready], ["reindex"],
                                ["render", ready, "--script", "0", "--role", "export", "--preset", "1x1-240p-crop"]] {
                    let refused = try await bench.reel(command + on)
                    #expect(refused.status == 2, "\(refused)")
                    #expect(refused.stderr.contains("storage root \(backup.path) is read-only"), "\(refused)")
                }
                #expect(bench.snapshot() == before, "nothing was created or changed")

                // A fault on the backup is still found: a still whose bytes changed.
                let manifest = try await bench.show(ready).manifest
                let poster = try #require(manifest.asset(scriptId: 0, role: .preview)?.poster)
                let handle = try FileHandle(forWritingTo: bench.file(poster.path))
                try handle.write(contentsOf: Data("damaged".utf8))
                try handle.close()
                let damaged = try await bench.reel(["verify", "--all", "--no-decode", "--json"] + on)
                #expect(damaged.status == 1, "\(damaged)")
                let findings = try #require(try JSONValue.parse(Array(damaged.stdout.utf8)).arrayValue)
                #expect(findings.map { $0["kind"]?.stringValue } == ["hashMismatch"], "\(damaged)")
                #expect(findings.first?["path"]?.stringValue == poster.path, "\(damaged)")
            }
        }
    }

    /// The index in each state a backup can hold it, each read without writing, each listing every task:
    /// cleanly closed (no WAL: opened `immutable=1`), copied while a writer had it open (a WAL with rows that are in
    /// no other file, and its `-shm`: read WAL included), a WAL without its `-shm` or no index at all (and no lock
    /// files): listed from the manifests.
    @Test func theIndexIsReadInEveryStateABackupHoldsIt() async throws {
        try await withBench { bench in
            let ready = taskId("ready"), partial = taskId("partial")
            #expect(try await bench.reel("archive", ready, partial).status == 1)
            let index = bench.storage.appendingPathComponent("index.sqlite")
            #expect(!FileManager.default.fileExists(atPath: index.path + "-wal"), "reel closed the index cleanly")

            try await withReadOnlyMount(of: bench.storage) { backup in
                let debug = ["REEL_LOG_LEVEL": "debug"] as [String: String?]
                func listed() async throws -> (ids: Set<String>, stderr: String) {
                    let result = try await bench.reel(["ls", "--json", "--storage", backup.path], environment: debug)
                    #expect(result.status == 0, "\(result)")
                    let ids = try #require(try JSONValue.parse(Array(result.stdout.utf8)).arrayValue).compactMap { $0["taskId"]?.stringValue }
                    return (Set(ids), result.stderr)
                }
                var result = try await listed()
                #expect(result.ids == [ready, partial])
                #expect(result.stderr.contains("catalog.index.source=immutableFile"), "\(result.stderr)")

                // A writer keeps the index open with a row in its WAL only: what `immutable=1` would not see.
                let writer = try Catalog(root: bench.storage)
                let added = "added-\(UUID().uuidString.prefix(8).lowercased())"
                try await writer.save(TaskManifest(taskId: try TaskID(validating: added), kind: "m2v", status: "success"))
                #expect((try? FileManager.default.attributesOfItem(atPath: index.path + "-wal")[.size] as? Int) ?? 0 > 0)
                result = try await listed()
                #expect(result.ids == [ready, partial, added])
                #expect(result.stderr.contains("catalog.index.source=file"), "\(result.stderr)")

                try FileManager.default.removeItem(atPath: index.path + "-shm")
                result = try await listed()
                #expect(result.ids == [ready, partial, added])
                #expect(result.stderr.contains("listing from the manifests"), "\(result.stderr)")
                withExtendedLifetime(writer) {}

                for name in ["index.sqlite", "index.sqlite-wal", "index.sqlite-shm", ".index.lock"] {
                    try? FileManager.default.removeItem(at: bench.storage.appendingPathComponent(name))
                }
                for id in [ready, partial, added] {
                    try? FileManager.default.removeItem(at: writer.layout.lockURL(try TaskID(validating: id)))
                }
                result = try await listed()
                #expect(result.ids == [ready, partial, added])
                #expect(result.stderr.contains("catalog.index.source=manifests"), "\(result.stderr)")
                let show = try await bench.reel("show", ready, "--storage", backup.path)
                #expect(show.status == 0 && show.stdout.hasPrefix(ready), "\(show)")
                let verify = try await bench.reel("verify", "--all", "--no-decode", "--storage", backup.path)
                #expect(verify.status == 0, "\(verify)")
            }
        }
    }
}

extension ReelBench {
    /// `reel arguments…` from an array (the variadic form cannot take one).
    fileprivate func reel(_ arguments: [String], environment changes: [String: String?] = [:]) async throws -> ReelResult {
        try await ReelProcess.start(arguments, environment: environment(changes)).wait(timeout: .seconds(240)).checkedForKey(apiKey)
    }
}

/// Runs `body` with `source` also visible, read-only, at a fresh mount point; unmounts afterwards. Records nothing
/// and skips `body` (with a printed reason) where a bind mount is not permitted.
private func withReadOnlyMount(of source: URL, _ body: (URL) async throws -> Void) async throws {
    let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("reel-backup-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: mountPoint) }
    guard let mount = try await TestMount.readOnlyBind(source, at: mountPoint) else {
        print("ReadOnlyCatalogTests skipped: this machine does not permit a read-only bind mount (needs root)")
        return
    }
    defer { mount.unmount() }
    // The mount really is read-only, for root too.
    #expect(open(mountPoint.appendingPathComponent("index.sqlite").path, O_RDWR) < 0 && errno == EROFS)
    #expect(!FileManager.default.createFile(atPath: mountPoint.appendingPathComponent("probe").path, contents: Data()))
    try await body(mountPoint)
}
