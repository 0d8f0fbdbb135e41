import Catalog
import Foundation
import Testing
import TopView

/// `reel archive` when the vendor's storage misbehaves: expired URLs, dropped connections, a file that
/// changed under its URL, a server whose lengths lie.
@Suite struct ArchiveRecoveryTests {
    @Test func anExpiredURLIsQueriedAgainAndArchived() async throws {
        try await withBench { bench in
            let task = taskId("expiring")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 0, "\(run)")
            let manifest = try await bench.show(task).manifest
            let served = try Oracle.sha256sum(bench.sandbox.media("small.mp4"))
            for asset in manifest.assets {
                #expect(asset.state == .archived)
                #expect(asset.source?.sha256 == served)
                #expect(asset.cover != nil)
                #expect(asset.source?.url?.contains("?") == false)
            }
            let videoGets = try await bench.mediaRequests(task).filter { $0.path.hasSuffix(".mp4") }
            for role in ["preview", "export"] {
                let gets = videoGets.filter { $0.path.hasSuffix("/\(role)-0.mp4") }
                #expect(gets.first?.status == 403, "\(role): the first URL handed out is expired: \(gets.map(\.status))")
                #expect(gets.last?.status == 200, "\(role): \(gets.map(\.status))")
            }
        }
    }

    @Test func aDroppedConnectionIsResumedAndTheHashIsRight() async throws {
        try await withBench { bench in
            let task = taskId("cut")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 0, "\(run)")
            let manifest = try await bench.show(task).manifest
            let served = try Oracle.sha256sum(bench.sandbox.media("small.mp4"))
            for asset in manifest.assets {
                let source = try #require(asset.source)
                #expect(source.sha256 == served)
                #expect(try Oracle.sha256sum(bench.file(source.path)) == served)
                #expect(asset.verification?.verdict == "match")
            }
            let gets = try await bench.mediaRequests(task).filter { $0.path.hasSuffix("/preview-0.mp4") }
            #expect(gets.count == 2, "\(gets)")
            #expect(gets.first?.fault != nil)
            #expect(gets.last?.status == 206 && gets.last?.range?.hasPrefix("bytes=") == true && gets.last?.range != "bytes=0-",
                    "resumed with a Range: \(gets)")
        }
    }

    @Test func aFileThatChangedUnderItsURLIsTheNewFileNeverAJoin() async throws {
        try await withBench { bench in
            let task = taskId("changing")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 0, "\(run)")
            let manifest = try await bench.show(task).manifest
            let newHash = try Oracle.sha256sum(bench.sandbox.media("small-alt.mp4"))
            let oldHash = try Oracle.sha256sum(bench.sandbox.media("small.mp4"))
            for asset in manifest.assets {
                let source = try #require(asset.source)
                #expect(source.sha256 == newHash, "\(asset.role)")
                #expect(source.sha256 != oldHash)
                #expect(try Oracle.sha256sum(bench.file(source.path)) == newHash)
                #expect(source.bytes == (try Oracle.size(bench.sandbox.media("small-alt.mp4"))))
                #expect(asset.verification?.verdict == "match")
            }
        }
    }

    @Test func aServerWhoseLengthsLieFailsTheAssetWithALengthMismatch() async throws {
        try await withBench { bench in
            let task = taskId("liar")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 1, "\(run)")
            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)
            #expect(!manifest.assets.isEmpty)
            for asset in manifest.assets {
                #expect(asset.state == .failed)
                let error = try #require(asset.error)
                let said = (error.code + " " + error.message).lowercased()
                #expect(said.contains("length") && (said.contains("mismatch") || said.contains("do not add up")), "\(error)")
                #expect(asset.source == nil, "nothing half-written enters the catalog")
            }
            #expect(try await bench.ls("--state", "failed") == [task])
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }
}
