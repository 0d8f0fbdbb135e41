import Catalog
import DurableFiles
import Crypto
import Foundation
@testable import Pipeline
import Testing

/// A download cut by the death of its process is kept in the task's `.partial/` with a sidecar, and the next run asks
/// only for the rest (`Range` + `If-Range`); `reel verify` does not call a resumable partial a problem, but does call
/// one abandoned for 7 days (or without its sidecar) a leftover; nothing partial is ever a catalog file.
@Suite struct PartialDownloadTests {
    @Test func aDownloadCutByAKillResumesWithARangeAfterTheRestart() async throws {
        try await withBench { bench in
            // `stall`: the first GET of each video sends 40 % of it, then nothing for 600 s.
            let task = taskId("stall")
            let id = try TaskID(validating: task)
            let layout = CatalogLayout(root: bench.storage)
            let partial = layout.partialFile(id, scriptId: 0, role: .preview, .source)
            let sidecar = CatalogLayout.partialSidecar(of: partial)
            let served = bench.sandbox.media("small.mp4")
            let size = try Oracle.size(served)

            let first = try bench.start("archive", task)
            let deadline = ContinuousClock.now + .seconds(60)
            var kept: Int64 = 0
            while ContinuousClock.now < deadline {
                kept = FileIO.size(partial.path) ?? 0
                if kept >= size * 3 / 10, FileManager.default.fileExists(atPath: sidecar.path) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            first.kill(SIGKILL)
            let killed = try await first.wait(timeout: .seconds(30))
            try #require(killed.killedBySignal && kept > 0 && kept < size, "the download never got cut mid-way: \(kept) of \(size); \(killed)")

            // What the kill left: the partial and its sidecar (URL without query string, validators), no catalog file.
            let text = try String(contentsOf: sidecar, encoding: .utf8)
            #expect(!text.contains("?") && text.contains("\"etag\""), "\(text)")
            #expect(!FileManager.default.fileExists(atPath: layout.taskDirectory(id).appendingPathComponent("0/preview/source.mp4").path))
            let verify = try await bench.reel("verify", task, "--no-decode", "--json")
            #expect(verify.status == 0 && !verify.stdout.contains(".partial"), "a resumable partial is no problem: \(verify)")

            let rerun = try await bench.reel("archive", task)
            #expect(rerun.status == 0, "\(rerun)")
            let manifest = try await bench.show(task).manifest
            let source = try #require(manifest.assets.first { $0.role == .preview }?.source)
            let expected = try Oracle.sha256sum(served)
            #expect(source.sha256 == expected && source.bytes == size)
            #expect(try Oracle.sha256sum(bench.file(source.path)) == expected)
            // The restart asked only for the rest, with the validator the first response gave.
            let gets = try await bench.mediaRequests(task).filter { $0.path.hasSuffix("/preview-0.mp4") }
            #expect(gets.count == 2, "\(gets)")
            let resumed = try #require(gets.last)
            #expect(resumed.status == 206 && resumed.ifRange != nil, "\(resumed)")
            let start = resumed.range.flatMap { Int64($0.dropFirst("bytes=".count).prefix { $0.isNumber }) } ?? 0
            #expect(start > 0 && start <= kept, "resumed at \(start), \(kept) kept: \(resumed)")
            // Archived: its partials are gone, and the catalog verifies clean.
            #expect(FileIO.names(in: layout.partialDirectory(id).path).filter { $0.hasPrefix("0-preview-") } == [])
            let after = try await bench.reel("verify", "--all")
            #expect(after.status == 0, "\(after)")
        }
    }

    /// A run that resumes another run's partial adopts it as a file of its own: the former writer (a worker paused past
    /// its lease, resumed while this run goes on) truncates and writes through the descriptor it kept, and nothing of
    /// that reaches the file this run resumes and commits (seen in CI: a committed source truncated to 0 bytes).
    @Test func aResumedPartialIsNoLongerTheFileItsFormerWriterHolds() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reel-adopt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("0-preview-source.mp4")
        let bytes = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try bytes.write(to: data)
        let url = "http://127.0.0.1:9/media/v.mp4"
        try PartialDownload.save(PartialSidecar(url: url, etag: "\"e1\"", syncedBytes: 0, bootId: PartialDownload.bootId,
                                                updatedAt: Date()), for: data)
        let former = open(data.path, O_WRONLY)
        try #require(former >= 0)
        defer { close(former) }

        let resume = try #require(await PartialDownload.resumeState(of: data, url: url))
        #expect(resume.bytes == Int64(bytes.count))
        #expect(Data(resume.hasher.finalize()) == Data(SHA256.hash(data: bytes)), "the hash of the adopted bytes")
        #expect(FileIO.names(in: directory.path).sorted() == ["0-preview-source.mp4", "0-preview-source.mp4.json"], "no temporary left")

        // The former writer wakes up: it starts over (truncates) and writes other bytes through its descriptor.
        #expect(ftruncate(former, 0) == 0)
        #expect(pwrite(former, "garbage", 7, 0) == 7)
        #expect(try Data(contentsOf: data) == bytes, "the resumed file keeps the bytes it adopted")
    }

    @Test func verifyReportsOnlyPartialsThatCannotBeResumed() async throws {
        try await withBench { bench in
            let task = taskId("ready")
            let archived = try await bench.reel("archive", task)
            #expect(archived.status == 0, "\(archived)")
            let id = try TaskID(validating: task)
            let layout = CatalogLayout(root: bench.storage)
            let directory = layout.partialDirectory(id)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let data = directory.appendingPathComponent("7-export-source.mp4")
            try Data(count: 1000).write(to: data)
            try Data(#"{"url":"https://x.amazonaws.com/v.mp4","etag":"\"e1\"","syncedBytes":0,"updatedAt":"2025-06-15T14:40:00.125Z"}"#.utf8)
                .write(to: CatalogLayout.partialSidecar(of: data))
            var verify = try await bench.reel("verify", task, "--no-decode")
            #expect(verify.status == 0, "a fresh partial with its sidecar: \(verify)")

            // Untouched for 8 days: abandoned.
            let old = Date().addingTimeInterval(-8 * 24 * 3600)
            for url in [data, CatalogLayout.partialSidecar(of: data)] {
                try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: url.path)
            }
            verify = try await bench.reel("verify", task, "--no-decode", "--json")
            #expect(verify.status == 1 && verify.stdout.contains("leftoverStaging") && verify.stdout.contains(".partial/7-export-source.mp4"),
                    "\(verify)")

            // A data file without its sidecar cannot be resumed either.
            try FileManager.default.removeItem(at: CatalogLayout.partialSidecar(of: data))
            try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: data.path)
            verify = try await bench.reel("verify", task, "--no-decode", "--json")
            #expect(verify.status == 1 && verify.stdout.contains(".partial/7-export-source.mp4"), "\(verify)")
        }
    }
}
