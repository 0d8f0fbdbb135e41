import ArgumentParser
import Catalog
import Foundation

/// `--storage DIR` (default `$REEL_STORAGE`, else `./storage`; see ``StorageConfiguration``).
struct StorageOptions: ParsableArguments {
    @Option(name: .long, help: "Catalog root (default: $REEL_STORAGE, else ./storage).")
    var storage: String?

    /// The storage part of the configuration for a command that does not take a ``ReelConfiguration`` (yet): the same
    /// reader and rules as ``ReelConfiguration``'s.
    var configuration: StorageConfiguration { StorageConfiguration(reader: ConfigurationReader(), flags: self) }

    var root: URL { configuration.root }

    /// `.readOnly` for the commands that only read (ls, verify): they work on a read-only root and create nothing.
    func openCatalog(_ access: Catalog.Access = .readWrite) throws -> Catalog {
        try configuration.openCatalog(access)
    }
}
