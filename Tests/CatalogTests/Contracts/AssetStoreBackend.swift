import Foundation
@testable import Catalog

/// One implementation of ``AssetStore`` under the contract (``AssetStoreCheck``). A new backend (S3) adds one value of
/// this type and one `@Test(arguments: AssetStoreCheck.allCases)` that runs every check on it.
struct AssetStoreBackend: Sendable, CustomStringConvertible {
    let name: String
    /// Runs `body` with a fresh, empty store, and removes it afterwards.
    let withStore: @Sendable (@Sendable (any AssetStore) async throws -> Void) async throws -> Void

    var description: String { name }

    func run(_ body: @Sendable (any AssetStore) async throws -> Void) async throws {
        try await withStore(body)
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
