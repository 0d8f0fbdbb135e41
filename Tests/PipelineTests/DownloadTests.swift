import AsyncHTTPClient
import Synchronization
import Foundation
import Testing
@testable import Pipeline

/// The downloader against the sandbox over real HTTP on 127.0.0.1.
@Suite struct DownloadTests {
    @Test func plainDownloadMatchesTheServedFile() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                let downloader = Downloader(httpClient: client, configuration: DownloadFixtures.configuration(for: sandbox), logger: DownloadFixtures.logger)
                let staging = try DownloadFixtures.stagingFile()
                let seen = ProgressLog()
                let result = try await downloader.download(
                    from: DownloadFixtures.mediaURL(sandbox, taskId: "ready-\(UUID())", asset: "preview-0.mp4"),
                    to: staging, progress: { received, total in seen.add(received, total) })
                let served = sandbox.media("small.mp4")
                #expect(result.sha256 == (try DownloadFixtures.sha256sum(served)))
                #expect(result.sha256 == (try DownloadFixtures.sha256sum(staging)))
                #expect(result.bytes == (try DownloadFixtures.size(served)))
                #expect(result.etag != nil)
                #expect(result.lastModified != nil)
                #expect(result.contentType == "video/mp4")
                #expect(seen.last?.received == result.bytes)
                #expect(seen.last?.total == result.bytes)
            }
        }
    }

    @Test func aDroppedConnectionResumesWithRange() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                let downloader = Downloader(httpClient: client, configuration: DownloadFixtures.configuration(for: sandbox), logger: DownloadFixtures.logger)
                let taskId = "cut-\(UUID())"
                let staging = try DownloadFixtures.stagingFile()
                let result = try await downloader.download(from: DownloadFixtures.mediaURL(sandbox, taskId: taskId, asset: "preview-0.mp4"), to: staging)
                #expect(result.sha256 == (try DownloadFixtures.sha256sum(sandbox.media("small.mp4"))))
                #expect(result.sha256 == (try DownloadFixtures.sha256sum(staging)))

                let requests = try await sandbox.requests(taskId: taskId)
                try #require(requests.count == 2)
                #expect(requests[0].range == nil && requests[0].fault != nil)
                let resume = requests[1]
                #expect(resume.status == 206)
                #expect(resume.range?.hasPrefix("bytes=") == true)
                #expect(resume.range != "bytes=0-")
                #expect(resume.ifRange == result.etag)
            }
        }
    }

    @Test func aFileThatChangedBeforeTheResumeIsFetchedAnewNeverJoined() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                let downloader = Downloader(httpClient: client, configuration: DownloadFixtures.configuration(for: sandbox), logger: DownloadFixtures.logger)
                let taskId = "changing-\(UUID())"
                let staging = try DownloadFixtures.stagingFile()
                let result = try await downloader.download(from: DownloadFixtures.mediaURL(sandbox, taskId: taskId, asset: "export-0.mp4"), to: staging)
                let newHash = try DownloadFixtures.sha256sum(sandbox.media("small-alt.mp4"))
                #expect(newHash != (try DownloadFixtures.sha256sum(sandbox.media("small.mp4"))))
                #expect(result.sha256 == newHash)
                #expect((try DownloadFixtures.sha256sum(staging)) == newHash)
                #expect(result.bytes == (try DownloadFixtures.size(sandbox.media("small-alt.mp4"))))

                let requests = try await sandbox.requests(taskId: taskId)
                try #require(requests.count == 2)
                // The resume asked for a range guarded by the old validator, and got the whole new file.
                #expect(requests[1].range != nil)
                #expect(requests[1].ifRange != nil)
                #expect(requests[1].status == 200)
                #expect(requests[1].file == "small-alt.mp4")
            }
        }
    }

    @Test func aServerThatOverstatesContentLengthIsALengthMismatch() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                let maxAttempts = 4
                let downloader = Downloader(httpClient: client, configuration: DownloadFixtures.configuration(for: sandbox, maxAttempts: maxAttempts), logger: DownloadFixtures.logger)
                let taskId = "liar-\(UUID())"
                let error = await #expect(throws: DownloadError.self) {
                    _ = try await downloader.download(from: DownloadFixtures.mediaURL(sandbox, taskId: taskId, asset: "preview-0.mp4"), to: try DownloadFixtures.stagingFile())
                }
                #expect(error?.kind == .lengthMismatch)
                #expect((1...maxAttempts).contains(error?.attempts ?? 0))
                let requests = try await sandbox.requests(taskId: taskId)
                #expect((1...maxAttempts).contains(requests.count))
            }
        }
    }

    @Test func anExpiredURLSaysSoAndKeepsTheSignatureSecret() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                let downloader = Downloader(httpClient: client, configuration: DownloadFixtures.configuration(for: sandbox), logger: DownloadFixtures.logger)
                let taskId = "expiring-\(UUID())"
                let url = DownloadFixtures.mediaURL(sandbox, taskId: taskId, asset: "preview-0.mp4", expires: 1)
                let error = await #expect(throws: DownloadError.self) {
                    _ = try await downloader.download(from: url, to: try DownloadFixtures.stagingFile())
                }
                #expect(error?.isExpired == true)
                #expect(error?.attempts == 1)
                let text = error.map(String.init(describing:)) ?? ""
                #expect(text.contains("/media/\(taskId)/preview-0.mp4"))
                #expect(!text.contains("deadbeefcafe"))
                #expect(!text.contains("Signature"))
                #expect(text.contains("query the task again"))
            }
        }
    }

    @Test func anAnnouncedSizeOverTheCapIsRefusedBeforeTheBody() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                var configuration = DownloadFixtures.configuration(for: sandbox)
                configuration.maxBytes = 1000
                let downloader = Downloader(httpClient: client, configuration: configuration, logger: DownloadFixtures.logger)
                let staging = try DownloadFixtures.stagingFile()
                let error = await #expect(throws: DownloadError.self) {
                    _ = try await downloader.download(from: DownloadFixtures.mediaURL(sandbox, taskId: nil, asset: "small.mp4"), to: staging)
                }
                #expect(error?.kind == .tooLarge)
                // tooLarge is permanent: refused on the first answer that announces the size (an earlier attempt
                // may have been lost to the busy machine's network stack, not retried because of the size).
                #expect((1...2).contains(error?.attempts ?? 0))
                #expect(try DownloadFixtures.size(staging) == 0)
            }
        }
    }

    @Test func notEnoughFreeSpaceIsRefusedBeforeTheBody() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                var configuration = DownloadFixtures.configuration(for: sandbox)
                configuration.minFreeBytes = 1 << 60
                let downloader = Downloader(httpClient: client, configuration: configuration, logger: DownloadFixtures.logger)
                let staging = try DownloadFixtures.stagingFile()
                let error = await #expect(throws: DownloadError.self) {
                    _ = try await downloader.download(from: DownloadFixtures.mediaURL(sandbox, taskId: nil, asset: "small.jpg"), to: staging)
                }
                #expect(error?.kind == .insufficientSpace)
                #expect(try DownloadFixtures.size(staging) == 0)
            }
        }
    }

    @Test func aHostOffTheListIsNotContacted() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                // The sandbox is reachable as localhost too, but only 127.0.0.1 is on the list.
                let downloader = Downloader(httpClient: client, configuration: DownloadFixtures.configuration(for: sandbox), logger: DownloadFixtures.logger)
                let taskId = "ready-\(UUID())"
                let port = URLComponents(string: sandbox.url)?.port ?? 0
                let error = await #expect(throws: DownloadError.self) {
                    _ = try await downloader.download(from: "http://localhost:\(port)/media/\(taskId)/preview-0.mp4", to: try DownloadFixtures.stagingFile())
                }
                #expect(error?.kind == .refusedHost)
                #expect(error?.attempts == 0)
                let requests = try await sandbox.requests(taskId: taskId)
                #expect(requests.isEmpty)
            }
        }
    }
}

/// Progress callbacks, recorded.
final class ProgressLog: Sendable {
    private let entries = Mutex<[(received: Int64, total: Int64?)]>([])
    func add(_ received: Int64, _ total: Int64?) { entries.withLock { $0.append((received, total)) } }
    var last: (received: Int64, total: Int64?)? { entries.withLock { $0.last } }
}

/// Redirects are followed only to allowed hosts, and only a few times.
@Suite struct DownloadRedirectTests {
    private func redirect(_ sandbox: SandboxProcess, to target: String) -> String {
        let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? target
        return "\(sandbox.url)/_sandbox/redirect?to=\(encoded)"
    }

    @Test func aRedirectToAnAllowedHostIsFollowed() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                let downloader = Downloader(httpClient: client, configuration: DownloadFixtures.configuration(for: sandbox), logger: DownloadFixtures.logger)
                let target = DownloadFixtures.mediaURL(sandbox, taskId: nil, asset: "small.jpg")
                let result = try await downloader.download(from: redirect(sandbox, to: target), to: try DownloadFixtures.stagingFile())
                #expect(result.sha256 == (try DownloadFixtures.sha256sum(sandbox.media("small.jpg"))))
            }
        }
    }

    @Test func aRedirectOffTheListIsRefused() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                let downloader = Downloader(httpClient: client, configuration: DownloadFixtures.configuration(for: sandbox), logger: DownloadFixtures.logger)
                // Every target stays on loopback, so even a broken check sends nothing off this machine.
                let port = URLComponents(string: sandbox.url)?.port ?? 0
                let targets = ["http://localhost:\(port)/media/small.jpg", "http://[::1]:\(port)/media/small.jpg", "file:///etc/passwd"]
                for target in targets {
                    let error = await #expect(throws: DownloadError.self) {
                        _ = try await downloader.download(from: redirect(sandbox, to: target), to: try DownloadFixtures.stagingFile())
                    }
                    #expect(error?.kind == .refusedHost || error?.kind == .refusedScheme)
                    // Refused on the first redirect seen (an earlier attempt may be lost to a loaded machine).
                    #expect((1...2).contains(error?.attempts ?? 0))
                }
            }
        }
    }

    @Test func aRedirectLoopStops() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { client in
                let downloader = Downloader(httpClient: client, configuration: DownloadFixtures.configuration(for: sandbox), logger: DownloadFixtures.logger)
                // Each hop redirects to the previous URL wrapped once more: a chain longer than the cap.
                var url = DownloadFixtures.mediaURL(sandbox, taskId: nil, asset: "small.jpg")
                for _ in 0..<5 { url = redirect(sandbox, to: url) }
                let error = await #expect(throws: DownloadError.self) {
                    _ = try await downloader.download(from: url, to: try DownloadFixtures.stagingFile())
                }
                #expect(error?.kind == .tooManyRedirects)
            }
        }
    }
}
