import Foundation
import Testing

/// The S3 server the test script started (SeaweedFS, `REEL_TEST_S3_*`), and awscli as the independent reader of what
/// the store holds. Each awscli run waits on a thread of its own (``offPool(_:)``): a test that blocked the cooperative
/// pool's two threads would stall every in-process server of the run.
enum S3Oracle {
    static let environment = ProcessInfo.processInfo.environment
    static var endpoint: String? { environment["REEL_TEST_S3_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } }
    static var bucket: String { environment["REEL_TEST_S3_BUCKET"] ?? "reel-test" }

    /// Whether the S3 tests can run; under CI the server must be there.
    static var isAvailable: Bool {
        if endpoint == nil, environment["CI"] == "true" {
            Issue.record("REEL_TEST_S3_ENDPOINT is not set under CI: Tools/test.sh starts SeaweedFS")
        }
        return endpoint != nil
    }

    /// The settings of a store on a fresh prefix of the test bucket, for `reel` (`scratch`: its REEL_SCRATCH).
    static func settings(prefix: String, scratch: URL) -> [String: String] {
        ["REEL_STORE_URL": "s3://\(bucket)/\(prefix)", "REEL_S3_ENDPOINT": endpoint ?? "", "REEL_S3_PATH_STYLE": "1",
         "AWS_ACCESS_KEY_ID": environment["REEL_TEST_S3_ACCESS_KEY"] ?? "", "AWS_SECRET_ACCESS_KEY": environment["REEL_TEST_S3_SECRET_KEY"] ?? "",
         "AWS_REGION": environment["REEL_TEST_S3_REGION"] ?? "us-east-1", "REEL_SCRATCH": scratch.path]
    }

    /// Every key under `prefix`, sorted (awscli's list-objects-v2).
    static func keys(under prefix: String) async throws -> [String] {
        let output = try await aws("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix, "--query", "Contents[].Key", "--output", "json")
        guard let data = output.data(using: .utf8), let keys = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String] else {
            return [] // `null`: no object
        }
        return keys.sorted()
    }

    /// The object's bytes in a temporary file (awscli's get-object); the caller removes it.
    static func fetch(_ key: String) async throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("reel-s3-oracle-\(UUID().uuidString)")
        _ = try await aws("s3api", "get-object", "--bucket", bucket, "--key", key, file.path)
        return file
    }

    @discardableResult
    static func aws(_ arguments: String...) async throws -> String {
        let arguments = arguments
        return try await offPool { try run(arguments) }
    }

    /// `sha256sum` of a file, waited for off the cooperative pool.
    static func sha256sum(_ file: URL) async throws -> String {
        try await offPool { try Oracle.sha256sum(file) }
    }

    private static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["aws", "--endpoint-url", endpoint ?? "", "--region", environment["REEL_TEST_S3_REGION"] ?? "us-east-1"] + arguments
        var env = environment
        env["AWS_ACCESS_KEY_ID"] = environment["REEL_TEST_S3_ACCESS_KEY"]
        env["AWS_SECRET_ACCESS_KEY"] = environment["REEL_TEST_S3_SECRET_KEY"]
        process.environment = env
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let failure = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReelLaunchError(description: "aws \(arguments.joined(separator: " ")): \(String(decoding: failure, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
