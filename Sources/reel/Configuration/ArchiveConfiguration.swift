import Media
import ReelBasics

/// What the archiver and the renderer take from the configuration (the rest of `ArchiveSettings` are the command's
/// own flags: `--wait`, `--poll-interval`, `--timeout`, `--jobs`).
struct ArchiveConfiguration: Sendable, Equatable {
    /// The rendition ladder.
    var presets: [RenditionPreset]

    init(presets: [RenditionPreset] = RenditionPreset.defaultLadder) {
        self.presets = presets
    }

    /// Reads the archive settings.
    ///
    /// - `--preset` / `REEL_LADDER`: the rendition ladder, comma-separated presets (default `720p,480p`).
    init(reader: ConfigurationReader, flags: LadderOptions) throws(ConfigurationError) {
        let name = flags.preset == nil ? "REEL_LADDER" : "--preset"
        guard let text = flags.preset ?? reader.text("REEL_LADDER") else {
            self.init()
            return
        }
        do {
            self.init(presets: try RenditionPreset.list(text))
        } catch {
            throw .refused(name, "must be comma-separated presets such as 720p,480p or 16x9-480p-pad: "
                           + SafeText.escape(error.description, limit: 1024))
        }
    }
}
