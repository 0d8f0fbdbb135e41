import ArgumentParser

/// `--storage DIR` (default `$REEL_STORAGE`, else `./storage`; see ``StorageConfiguration``).
struct StorageOptions: ParsableArguments {
    @Option(name: .long, help: "Catalog root (default: $REEL_STORAGE, else ./storage).")
    var storage: String?
}
