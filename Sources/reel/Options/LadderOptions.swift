import ArgumentParser

/// `--preset LADDER` of the commands that make renditions (default `$REEL_LADDER`, else 720p,480p; see
/// ``ArchiveConfiguration``).
struct LadderOptions: ParsableArguments {
    @Option(name: .long, help: "Rendition ladder, comma-separated (default $REEL_LADDER, else 720p,480p).") var preset: String?
}
