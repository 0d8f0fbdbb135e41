import ArgumentParser
import Catalog
import Foundation
import Media
import ReelBasics

/// `--storage DIR` (default `$REEL_STORAGE`, else `./storage`).
struct StorageOptions: ParsableArguments {
    @Option(name: .long, help: "Catalog root (default: $REEL_STORAGE, else ./storage).")
    var storage: String?

    var root: URL {
        let path = storage ?? ProcessInfo.processInfo.environment["REEL_STORAGE"].flatMap { $0.isEmpty ? nil : $0 } ?? "storage"
        return URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    /// `.readOnly` for the commands that only read (ls, verify): they work on a read-only root and create nothing.
    func openCatalog(_ access: Catalog.Access = .readWrite) throws -> Catalog {
        do {
            return try Catalog(root: root, access: access, logger: CLILogging.logger("reelvault.catalog"))
        } catch {
            throw ReelExit.usage("cannot open the catalog at \(SafeText.escape(root.path, limit: 1024)): \(SafeText.escape("\(error)", limit: 1024))")
        }
    }
}

/// Validates task ids before anything touches the disk (exit 2 when unsafe).
func validTaskIDs(_ raws: [String]) throws -> [TaskID] {
    try raws.map { raw in
        do { return try TaskID(validating: raw) } catch { throw ReelExit.usage(SafeText.escape("\(error)", limit: 1024)) }
    }
}

/// The rendition ladder: `--preset` beats `$REEL_LADDER`, which beats 720p,480p.
func ladder(_ flag: String?) throws -> [RenditionPreset] {
    let text = flag ?? ProcessInfo.processInfo.environment["REEL_LADDER"].flatMap { $0.isEmpty ? nil : $0 }
    guard let text else { return RenditionPreset.defaultLadder }
    do { return try RenditionPreset.list(text) } catch { throw ReelExit.usage(SafeText.escape("\(error)", limit: 1024)) }
}
