import AsyncHTTPClient
import Foundation
import Pipeline
import Testing

/// Stalled and slow bodies: a silent connection is given up after the read timeout and resumed; a slow but
/// steady one is not mistaken for a stall.
struct DownloadStallTests {
    @Test func aStalledBodyIsAbandonedAfterTheReadTimeoutAndResumed() async throws {
        try await withSandbox { sandbox in
            // The server sends part of the body, then stays silent for 600 s. A 40 s read timeout: the first bytes
            // reach the file before it even on a loaded CI machine (15 s once did not: the retry then had nothing to
            // resume), and it gives up long before the server would speak again — 400 s leaves a loaded machine room
            // for the resume (a CI run once took 117 s in all against a 120 s silence) and still proves it.
            let (result, staging, requests, elapsed) = try await download(from: sandbox, scenario: "stall", readTimeout: .seconds(40))
            #expect(elapsed < .seconds(400), "ended by the read timeout, not by the server: \(elapsed)")
            #expect(result.sha256 == (try DownloadFixtures.sha256sum(sandbox.media("small.mp4"))))
            #expect(result.sha256 == (try DownloadFixtures.sha256sum(staging)))
            try #require(requests.count >= 2, "\(requests)")
            #expect(requests[0].fault?.contains("stalled") == true)
            #expect(requests.dropFirst().contains { $0.status == 206 && $0.range != nil }, "a later request resumes: \(requests)")
        }
    }

    @Test func aSlowButSteadyBodyIsNotAStall() async throws {
        // ~112 chunks 100 ms apart, through the real downloader: whole, in one request. The read timeout is 30 s, as
        // a loaded machine can stretch a 100 ms gap by seconds; that steady progress outlasting the timeout is never a
        // stall is shown on a test clock (StallWatchdogTests.anOperationThatKeepsTouchingItsBeaconIsNeverAStall).
        try await withSandbox { sandbox in
            let (result, _, requests, _) = try await download(from: sandbox, scenario: "trickle", readTimeout: .seconds(30))
            #expect(result.sha256 == (try DownloadFixtures.sha256sum(sandbox.media("small.mp4"))))
            #expect(requests.count == 1, "no retry for a slow body: \(requests)")
        }
    }

    /// Downloads the preview of a fresh task of `scenario` with `readTimeout`: the result, the staging file, the
    /// requests the sandbox saw for the task, and the time the download took.
    private func download(from sandbox: SandboxProcess, scenario: String, readTimeout: Duration) async throws
        -> (DownloadResult, URL, [SandboxRequest], Duration) {
        try await DownloadFixtures.withClient { client in
            var configuration = DownloadFixtures.configuration(for: sandbox)
            configuration.readTimeout = readTimeout
            let downloader = Downloader(httpClient: client, configuration: configuration, logger: DownloadFixtures.logger)
            let taskId = "\(scenario)-\(UUID())"
            let staging = try DownloadFixtures.stagingFile()
            let start = ContinuousClock.now
            let result = try await downloader.download(from: DownloadFixtures.mediaURL(sandbox, taskId: taskId, asset: "preview-0.mp4"), to: staging)
            let elapsed = ContinuousClock.now - start
            return (result, staging, try await sandbox.requests(taskId: taskId), elapsed)
        }
    }
}
