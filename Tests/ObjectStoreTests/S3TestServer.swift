import Catalog
import Foundation
import ObjectStore
import Testing

/// The S3 server the test script started (SeaweedFS on loopback, see Tools/seaweedfs.sh): `REEL_TEST_S3_ENDPOINT`,
/// `REEL_TEST_S3_BUCKET`, `REEL_TEST_S3_ACCESS_KEY`, `REEL_TEST_S3_SECRET_KEY`, `REEL_TEST_S3_REGION`. Each use gets a
/// fresh key prefix in the bucket, so tests never see each other's objects. Under CI the server must be there.
enum S3TestServer {
    static let environment = ProcessInfo.processInfo.environment

    static var endpoint: String? { environment["REEL_TEST_S3_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Whether the tests of this server can run; outside CI a machine without it skips them.
    static var available: Bool {
        if endpoint == nil, environment["CI"] == "true" {
            Issue.record("REEL_TEST_S3_ENDPOINT is not set under CI: Tools/test.sh starts SeaweedFS")
        }
        return endpoint != nil
    }

    static var credentials: S3Credentials {
        S3Credentials(accessKeyId: environment["REEL_TEST_S3_ACCESS_KEY"] ?? "", secretAccessKey: environment["REEL_TEST_S3_SECRET_KEY"] ?? "")
    }

    /// A client on a fresh prefix of the test bucket (`credentials` to try others).
    static func client(prefix: String = "t-" + UUID().uuidString.lowercased(), credentials: S3Credentials = credentials) throws -> S3Client {
        let bucket = environment["REEL_TEST_S3_BUCKET"] ?? "reel-test"
        let location = try S3Location(store: "s3://\(bucket)/\(prefix)", endpoint: endpoint ?? "", pathStyle: true,
                                      region: environment["REEL_TEST_S3_REGION"] ?? "us-east-1")
        return S3Client(location: location, credentials: credentials)
    }

    /// Runs `body` with an S3 store on a fresh prefix and a fresh scratch directory (removed afterwards).
    static func withStore(_ body: @Sendable (S3AssetStore) async throws -> Void) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-s3-scratch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try await body(S3AssetStore(client: client(), scratch: CatalogLayout(root: scratch)))
    }
}
