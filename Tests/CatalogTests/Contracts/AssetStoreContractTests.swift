import Catalog
import StoreContracts
import Testing

/// Every ``AssetStoreCheck`` against the local store (the S3 store runs them in `ObjectStoreTests`).
@Suite("AssetStore contract")
struct AssetStoreContractTests {
    @Test(arguments: AssetStoreCheck.allCases)
    func localAssetStore(_ check: AssetStoreCheck) async throws {
        try await check.run(on: .local)
    }
}

extension AssetStoreBackend {
    /// The local store under a temporary storage root.
    static let local = AssetStoreBackend(name: "LocalAssetStore") { body in
        try await withTemporaryRoot { root in
            try await body(LocalAssetStore(layout: CatalogLayout(root: root)))
        }
    }
}
