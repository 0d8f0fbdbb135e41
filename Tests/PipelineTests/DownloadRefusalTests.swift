import AsyncHTTPClient
import Foundation
import Testing
@testable import Pipeline

/// What the downloader refuses before opening any connection. The client handed to it is already shut down,
/// so a refusal that came too late would show as a network error instead, and no packet ever leaves.
@Suite struct DownloadRefusalTests {
    private func refusal(_ url: String, allowing extra: [String] = ["127.0.0.1"]) async throws -> DownloadError? {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        try await client.shutdown()
        let downloader = Downloader(
            httpClient: client,
            configuration: DownloadConfiguration(allowedHosts: HostAllowList(extraHosts: extra), maxAttempts: 1),
            logger: DownloadFixtures.logger
        )
        let staging = try DownloadFixtures.stagingFile()
        let error = await #expect(throws: DownloadError.self) {
            _ = try await downloader.download(from: url, to: staging)
        }
        #expect(error?.attempts == 0)
        #expect(!FileManager.default.fileExists(atPath: staging.path))
        return error
    }

    @Test(arguments: ["file:///etc/passwd", "ftp://bucket.s3.amazonaws.com/video.mp4", "gopher://x.topview.ai/", "javascript:alert(1)", "/relative/path.mp4"])
    func otherSchemesAreRefused(_ url: String) async throws {
        #expect(try await refusal(url)?.kind == .refusedScheme)
    }

    @Test(arguments: [
        "https://evil.example.com/video.mp4",
        "https://amazonaws.com.evil.example.com/v.mp4",
        "https://evilamazonaws.com/v.mp4",
        "https://amazonaws.com/v.mp4",  // the bare domain is not a subdomain
        "http://localhost/v.mp4",
    ])
    func hostsOffTheListAreRefused(_ url: String) async throws {
        #expect(try await refusal(url)?.kind == .refusedHost)
    }

    @Test(arguments: [
        "http://10.0.0.1/v.mp4", "http://169.254.169.254/latest/meta-data/", "http://192.168.1.1/", "http://172.16.0.5/",
        "http://127.0.0.2/", "http://[::1]/v.mp4", "http://[fe80::1]/", "http://[fd00::1]/", "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
    ])
    func literalInternalAddressesAreRefused(_ url: String) async throws {
        let error = try await refusal(url)
        #expect(error?.kind == .refusedHost)
    }

    @Test func userInformationIsRefusedAndNeverShown() async throws {
        let error = try await refusal("http://admin:hunter2@127.0.0.1:9/media/small.mp4")
        #expect(error?.kind == .refusedHost)
        #expect(!String(describing: error).contains("hunter2"))
        #expect(try await refusal("https://bucket.s3.amazonaws.com@evil.example.com/v.mp4")?.kind == .refusedHost)
    }

    @Test func allowedHostsPass() throws {
        let list = HostAllowList(extraHosts: ["127.0.0.1", "API.Example.com."])
        for url in [
            "https://aigc.s3.amazonaws.com/analyzed_video/task/export/x.mp4?X-Amz-Signature=1",
            "https://d1234.cloudfront.net/a.jpg", "https://cdn.topview.ai/v.mp4", "HTTPS://CDN.TOPVIEW.AI/v.mp4",
            "http://127.0.0.1:8080/media/small.mp4", "https://api.example.com/v.mp4",
        ] {
            #expect(throws: Never.self) { try list.check(url) }
        }
        // An exact entry allows only itself.
        #expect(throws: DownloadError.self) { try list.check("https://other.example.com/v.mp4") }
        #expect(throws: DownloadError.self) { try HostAllowList().check("http://127.0.0.1/v.mp4") }
    }

    @Test func redactionDropsQueryFragmentAndUserinfo() {
        #expect(DownloadError.redact("https://u:p@a.s3.amazonaws.com/x/y.mp4?X-Amz-Signature=abc&Expires=1#t") == "https://a.s3.amazonaws.com/x/y.mp4")
        #expect(DownloadError.redact("not a url?secret") == "not a url")
    }

    @Test func contentRangeParsing() {
        #expect(ContentRange("bytes 100-199/1000") == ContentRange("bytes 100-199/1000"))
        #expect(ContentRange("bytes 100-199/1000")?.start == 100)
        #expect(ContentRange("bytes 100-199/*")?.total == nil)
        #expect(ContentRange("bytes */1000")?.total == 1000)
        #expect(ContentRange("bytes 200-100/1000") == nil)
        #expect(ContentRange("bytes 0-1000/1000") == nil)
        #expect(ContentRange("items 0-1/2") == nil)
    }
}
