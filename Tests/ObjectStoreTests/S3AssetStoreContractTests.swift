import Catalog
import StoreContracts
import Testing

/// Every ``AssetStoreCheck`` against the S3 store on a real S3 server (SeaweedFS, which checks signatures, checksums
/// and conditions).
@Suite("AssetStore contract on S3", .enabled(if: S3TestServer.available))
struct S3AssetStoreContractTests {
    @Test(arguments: AssetStoreCheck.allCases)
    func s3AssetStore(_ check: AssetStoreCheck) async throws {
        try await check.run(on: .s3)
    }
}

extension AssetStoreBackend {
    /// The S3 store on a fresh prefix of the test bucket.
    static let s3 = AssetStoreBackend(name: "S3AssetStore") { body in
        try await S3TestServer.withStore { store in try await body(store) }
    }
}
