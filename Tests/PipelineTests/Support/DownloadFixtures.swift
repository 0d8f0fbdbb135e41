import AsyncHTTPClient
import Foundation
import Logging
@testable import Pipeline

/// Helpers shared by the download tests: a client that does not follow redirects, a downloader allowed to
/// reach the sandbox, staging files in a temp directory, and `sha256sum` as an independent oracle.
enum DownloadFixtures {
    static let logger = Logger(label: "reelvault.tests.download")

    /// Runs `body` with an HTTP client that is shut down afterwards.
    static func withClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow)
        )
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// A configuration that allows the sandbox's host and retries fast.
    static func configuration(for sandbox: SandboxProcess, maxAttempts: Int = 5) -> DownloadConfiguration {
        DownloadConfiguration(
            allowedHosts: HostAllowList(extraHosts: [sandbox.host]),
            maxAttempts: maxAttempts,
            readTimeout: .seconds(60),
            retryBaseDelay: .milliseconds(20)
        )
    }

    /// A fresh staging file path in its own temp directory.
    static func stagingFile() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reel-download-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("staging.part")
    }

    /// A signed-looking URL for an asset of a sandbox task (or a plain file when `taskId` is nil).
    static func mediaURL(_ sandbox: SandboxProcess, taskId: String?, asset: String, expires: Int? = nil) -> String {
        let path = taskId.map { "\($0)/\(asset)" } ?? asset
        let expiry = expires ?? Int(Date().timeIntervalSince1970) + 3600
        return "\(sandbox.url)/media/\(path)?X-Amz-Signature=deadbeefcafe&Expires=\(expiry)"
    }

    /// `sha256sum FILE`, the independent oracle.
    static func sha256sum(_ file: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    static func size(_ file: URL) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? -1
    }
}
