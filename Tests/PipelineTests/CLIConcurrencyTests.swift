import Catalog
import Foundation
import Testing
import TopView

/// Several `reel` processes on one catalog, and a process killed in the middle of its work.
@Suite struct CLIConcurrencyTests {
    @Test func twoConcurrentArchivesOfOneTaskLeaveOneSetOfFiles() async throws {
        try await withBench { bench in
            let task = taskId("ready")
            let first = try bench.start("archive", task)
            let second = try bench.start("archive", task)
            let a = try await first.wait().checkedForKey(bench.apiKey)
            let b = try await second.wait().checkedForKey(bench.apiKey)
            #expect(a.status == 0, "\(a)")
            #expect(b.status == 0, "\(b)")

            let gets = try await bench.mediaRequests(task)
            #expect(gets.count == 4, "each file fetched once: \(gets.map(\.path))")
            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)
            #expect(manifest.assets.count == 2)
            #expect(manifest.assets.map(\.state) == [.archived, .archived])
            let sources = bench.snapshot().keys.filter { $0.hasSuffix("source.mp4") }
            #expect(sources.count == 2, "\(sources)")
            #expect(!bench.snapshot().keys.contains { $0.contains(".staging/") || $0.hasSuffix(".tmp") })
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
            #expect(try await bench.ls() == [task])
        }
    }

    @Test func concurrentArchivesOfDifferentTasksShareTheCatalog() async throws {
        try await withBench { bench in
            let tasks = [taskId("ready"), taskId("cut"), taskId("expiring")]
            let runs = try tasks.map { try bench.start("archive", $0, "--jobs", "2") }
            for run in runs {
                let result = try await run.wait().checkedForKey(bench.apiKey)
                #expect(result.status == 0, "\(result)")
            }
            #expect(Set(try await bench.ls()) == Set(tasks))
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    /// Killed (SIGKILL, by a failpoint: deterministic, unlike racing a fast run) after the download, after the
    /// decode pass, between committing the source and saving the checkpoint, and after the checkpoint.
    @Test(arguments: ["archive.downloaded", "archive.processed", "archive.source.committed", "archive.checkpointed",
                      "catalog.store.synced@4"])
    func aRerunAfterAKilledArchiveCompletesTheCatalog(_ failpoint: String) async throws {
        try await withBench { bench in
            let task = taskId("ready")
            let killed = try await bench.start("archive", task, environment: ["REEL_FAILPOINT": failpoint]).wait()
            #expect(killed.killedBySignal, "\(failpoint): \(killed)")

            let rerun = try await bench.reel("archive", task)
            #expect(rerun.status == 0, "\(rerun)")
            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)
            #expect(manifest.assets.map(\.state) == [.archived, .archived])
            let served = try Oracle.sha256sum(bench.sandbox.media("small.mp4"))
            for asset in manifest.assets {
                #expect(asset.source?.sha256 == served)
                #expect(try asset.source.map { try Oracle.sha256sum(bench.file($0.path)) } == served)
            }
            #expect(!bench.snapshot().keys.contains { $0.contains(".staging/") || $0.hasSuffix(".tmp") })
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    /// Killed after the first video's decode pass: its source was kept (checkpoint) before the pass, so the rerun
    /// resumes from it and downloads only what it never had.
    @Test func aRerunResumesFromTheKeptSourceWithoutDownloadingItAgain() async throws {
        try await withBench { bench in
            let task = taskId("ready")
            let killed = try await bench.start("archive", task, environment: ["REEL_FAILPOINT": "archive.processed"]).wait()
            #expect(killed.killedBySignal, "\(killed)")
            let kept = try await bench.show(task).manifest.assets.filter { $0.source != nil }
            #expect(kept.count == 1 && kept.first?.state == .pending, "\(kept)")
            let before = try await bench.mediaRequests(task).filter { $0.path.hasSuffix(".mp4") }

            let rerun = try await bench.reel("archive", task)
            #expect(rerun.status == 0, "\(rerun)")
            let manifest = try await bench.show(task).manifest
            #expect(manifest.assets.map(\.state) == [.archived, .archived])
            let after = try await bench.mediaRequests(task).filter { $0.path.hasSuffix(".mp4") }
            for asset in kept {
                let name = "/\(asset.role.rawValue)-\(asset.scriptId).mp4"
                #expect(after.filter { $0.path.hasSuffix(name) }.count == before.filter { $0.path.hasSuffix(name) }.count,
                        "\(name) was downloaded again: \(after.map(\.path))")
                #expect(manifest.assets.first { $0.role == asset.role }?.source == asset.source)
            }
            #expect(after.count > before.count, "the video never fetched before is fetched by the rerun")
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    enum KeptFileDamage: String, CaseIterable, Sendable { case sourceChanged, coverMissing }

    /// A kept source whose bytes changed on disk (same size, other hash) is not trusted: the rerun downloads the video
    /// again. A kept source whose cover is missing is resumed, and only the cover is fetched.
    @Test(arguments: KeptFileDamage.allCases)
    func aDamagedCheckpointIsRepairedByTheRerun(_ damage: KeptFileDamage) async throws {
        try await withBench { bench in
            let task = taskId("ready")
            let killed = try await bench.start("archive", task, environment: ["REEL_FAILPOINT": "archive.processed"]).wait()
            #expect(killed.killedBySignal, "\(killed)")
            let kept = try #require(try await bench.show(task).manifest.assets.first { $0.source != nil })
            let source = try #require(kept.source), cover = try #require(kept.cover)
            switch damage {
            case .sourceChanged:
                let handle = try FileHandle(forUpdating: bench.file(source.path))
                try handle.seek(toOffset: UInt64(source.bytes / 2))
                let byte = try #require(try handle.read(upToCount: 1)?.first)
                try handle.seek(toOffset: UInt64(source.bytes / 2))
                try handle.write(contentsOf: [byte ^ 0xFF])
                try handle.close()
            case .coverMissing:
                try FileManager.default.removeItem(at: bench.file(cover.path))
            }
            let name = "/\(kept.role.rawValue)-\(kept.scriptId)"
            func gets(_ suffix: String) async throws -> Int {
                try await bench.mediaRequests(task).filter { $0.path.hasSuffix(name + suffix) }.count
            }
            let (videoBefore, coverBefore) = (try await gets(".mp4"), try await gets(".jpg"))

            let rerun = try await bench.reel("archive", task)
            #expect(rerun.status == 0, "\(rerun)")
            #expect(try await gets(".mp4") == videoBefore + (damage == .sourceChanged ? 1 : 0))
            #expect(try await gets(".jpg") == coverBefore + 1)
            let asset = try #require(try await bench.show(task).manifest.assets.first { $0.role == kept.role })
            #expect(asset.state == .archived)
            #expect(asset.source?.sha256 == (try Oracle.sha256sum(bench.sandbox.media("small.mp4"))))
            #expect(try asset.source.map { try Oracle.sha256sum(bench.file($0.path)) } == asset.source?.sha256)
            #expect(try asset.cover.map { try Oracle.sha256sum(bench.file($0.path)) } == (try Oracle.sha256sum(bench.sandbox.media("small.jpg"))))
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }
}
