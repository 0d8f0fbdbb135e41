import Testing
@testable import Catalog

/// Every ``AssetStoreCheck`` against every store of this package.
@Suite("AssetStore contract")
struct AssetStoreContractTests {
    @Test(arguments: AssetStoreCheck.allCases)
    func localAssetStore(_ check: AssetStoreCheck) async throws {
        try await check.run(on: .local)
    }
}
