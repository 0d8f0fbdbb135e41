import Foundation
import Testing

/// Ctrl-C during `reel archive`: the work stops at its next chunk, the command says what was kept and that a rerun
/// resumes it (exit 130), and the rerun finishes without fetching any file whole twice.
@Suite struct ArchiveInterruptTests {
    @Test(arguments: [SIGINT, SIGTERM])
    func anInterruptedArchiveSaysWhatWasKeptAndTheRerunResumes(_ signal: Int32) async throws {
        try await withBench { bench in
            let task = taskId("trickle")
            let archive = try bench.start("archive", task)
            #expect(await archive.waitForStderr(containing: "download"), "\(archive.stderrSoFar)")
            // Some bytes in the partial file first, so that there is something to resume.
            let partials = bench.storage.appendingPathComponent("tasks")
            var partialBytes = 0
            for _ in 0..<200 where partialBytes < 8192 {
                try await Task.sleep(for: .milliseconds(100))
                partialBytes = (FileManager.default.enumerator(atPath: partials.path)?.compactMap { $0 as? String } ?? [])
                    .filter { $0.contains("/.partial/") && !$0.hasSuffix(".json") }
                    .compactMap { try? FileManager.default.attributesOfItem(atPath: partials.appendingPathComponent($0).path)[.size] as? Int }
                    .reduce(0, +)
            }
            archive.kill(signal)
            let stopped = try await archive.wait(timeout: .seconds(60))
            #expect(stopped.status == 130, "\(stopped)")
            #expect(stopped.stderr.contains("interrupted:") && stopped.stderr.contains("reel archive \(task) again to resume"), "\(stopped)")
            let rerun = try await bench.reel("archive", task, timeout: .seconds(240))
            #expect(rerun.status == 0, "\(rerun)")
            // Whenever the signal came (mid-download: the rerun asks for the rest with a Range; after a file was kept:
            // not at all), no file is fetched whole twice.
            let media = try await bench.mediaRequests(task)
            let whole = Dictionary(grouping: media.filter { $0.status == 200 }, by: \.path)
            #expect(whole.values.allSatisfy { $0.count == 1 }, "fetched whole twice: \(media.map { "\($0.path) \($0.status)" })")
        }
    }
}
