import Catalog
import Foundation
import Testing

/// `reel verify` reports one problem per file and a summary, keeps the result in the manifest, and `--repair` makes a
/// damaged task whole again: derived files from the kept source, a missing source fetched again after a re-query.
@Suite struct VerifyRepairTests {
    @Test func repairMakesADamagedTaskWholeAndSaysWhatItDid() async throws {
        try await withBench { bench in
            let task = taskId("ready")
            #expect(try await bench.reel("archive", task, "--preset", "240p").status == 0)
            let before = try await bench.show(task).manifest
            let preview = try #require(before.asset(scriptId: 0, role: .preview))
            let export = try #require(before.asset(scriptId: 0, role: .export))
            let rendition = try #require(export.rendition("240p"))
            try FileManager.default.removeItem(at: bench.file(try #require(preview.poster).path))
            let handle = try FileHandle(forWritingTo: bench.file(rendition.path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("garbage".utf8))
            try handle.close()
            try FileManager.default.removeItem(at: bench.file(try #require(export.source).path))

            let check = try await bench.reel("verify", task, "--no-decode")
            #expect(check.status == 1, "\(check)")
            let lines = check.stdout.split(separator: "\n")
            #expect(lines.count == 3, "one problem per file (the rendition's size, not also its hash): \(check)")
            #expect(check.stderr.contains("checked 1 task, ") && check.stderr.contains(": 3 problems"), "\(check)")
            #expect(try await bench.show(task).manifest.fixity?.problems == 3, "the result is kept for the page")

            let fetchesBefore = try await bench.mediaRequests(task).count
            let repair = try await bench.reel("verify", task, "--no-decode", "--repair")
            #expect(repair.status == 0, "\(repair)")
            #expect(repair.stderr.contains("\(task): repair: archived again: script 0 preview, script 0 export"), "\(repair)")
            #expect(repair.stderr.contains("0 left after repair"), "\(repair)")
            let fetched = try await bench.mediaRequests(task).dropFirst(fetchesBefore)
            #expect(fetched.contains { $0.path.hasSuffix("export-0.mp4") }, "the missing source fetched again: \(fetched)")
            #expect(!fetched.contains { $0.path.hasSuffix("preview-0.mp4") }, "the kept source is not: \(fetched)")

            let after = try await bench.reel("verify", task)
            #expect(after.status == 0 && after.stdout.contains("catalog is clean"), "\(after)")
            let manifest = try await bench.show(task).manifest
            #expect(manifest.fixity?.problems == 0)
            let redone = try #require(manifest.asset(scriptId: 0, role: .export)?.rendition("240p"))
            #expect(try Oracle.sha256sum(bench.file(redone.path)) == redone.sha256)
        }
    }
}

extension VerifyRepairTests {
    /// Verifying a root that does not exist (a mistyped --storage) creates nothing there.
    @Test func verifyCreatesNoRoot() async throws {
        try await withBench { bench in
            let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("reel-nowhere-\(UUID().uuidString)")
            let run = try await bench.reel("verify", "--all", "--storage", nowhere.path)
            #expect(run.status == 2, "\(run)")
            #expect(!FileManager.default.fileExists(atPath: nowhere.path), "verify created the root")
        }
    }
}
