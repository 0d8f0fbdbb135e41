import Catalog
import Foundation

/// One implementation of ``AssetStore`` under the contract (``AssetStoreCheck``): each backend's test target adds one
/// value of this type and one `@Test(arguments: AssetStoreCheck.allCases)` that runs every check on it.
public struct AssetStoreBackend: Sendable, CustomStringConvertible {
    public let name: String
    /// Runs `body` with a fresh, empty store, and removes it afterwards.
    public let withStore: @Sendable (@Sendable (any AssetStore) async throws -> Void) async throws -> Void

    public init(name: String, withStore: @escaping @Sendable (@Sendable (any AssetStore) async throws -> Void) async throws -> Void) {
        self.name = name
        self.withStore = withStore
    }

    public var description: String { name }

    func run(_ body: @Sendable (any AssetStore) async throws -> Void) async throws {
        try await withStore(body)
    }
}
