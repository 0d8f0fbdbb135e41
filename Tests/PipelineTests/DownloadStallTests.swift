import AsyncHTTPClient
import Foundation
import Pipeline
import Testing

/// Stalled and slow bodies: a silent connection is given up after the read timeout and resumed; a slow but
/// steady one is not mistaken for a stall.
struct DownloadStallTests {
    @Test func aStalledBodyIsAbandonedAfterTheReadTimeoutAndResumed() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                var configuration = DownloadFixtures.configuration(for: sandbox)
                configuration.readTimeout = .seconds(3)
                let downloader = Downloader(httpClient: client, configuration: configuration, logger: DownloadFixtures.logger)
                let taskId = "stall-\(UUID())"
                let staging = try DownloadFixtures.stagingFile()
                let start = ContinuousClock.now
                let result = try await downloader.download(from: DownloadFixtures.mediaURL(sandbox, taskId: taskId, asset: "preview-0.mp4"), to: staging)
                // The server stays silent for 120 s; the 3 s read timeout gives up long before that.
                #expect(ContinuousClock.now - start < .seconds(90))
                #expect(result.sha256 == (try DownloadFixtures.sha256sum(sandbox.media("small.mp4"))))
                #expect(result.sha256 == (try DownloadFixtures.sha256sum(staging)))
                let requests = try await sandbox.requests(taskId: taskId)
                try #require(requests.count >= 2, "\(requests)")
                #expect(requests[0].fault?.contains("stalled") == true)
                #expect(requests.dropFirst().contains { $0.status == 206 && $0.range != nil }, "a later request resumes: \(requests)")
            }
        }
    }

    @Test func aSlowButSteadyBodyIsNotAStall() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                var configuration = DownloadFixtures.configuration(for: sandbox)
                configuration.readTimeout = .seconds(8)
                let downloader = Downloader(httpClient: client, configuration: configuration, logger: DownloadFixtures.logger)
                let taskId = "trickle-\(UUID())"
                let staging = try DownloadFixtures.stagingFile()
                let start = ContinuousClock.now
                let result = try await downloader.download(from: DownloadFixtures.mediaURL(sandbox, taskId: taskId, asset: "preview-0.mp4"), to: staging)
                // ~112 chunks 100 ms apart: longer in total than the 8 s read timeout, never silent that long.
                #expect(ContinuousClock.now - start > .seconds(8))
                #expect(result.sha256 == (try DownloadFixtures.sha256sum(sandbox.media("small.mp4"))))
                #expect(try await sandbox.requests(taskId: taskId).count == 1, "no retry for a slow body")
            }
        }
    }
}
