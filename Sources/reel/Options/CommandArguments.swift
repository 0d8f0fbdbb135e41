import Catalog
import Media
import ReelBasics

/// Validates task ids before anything touches the disk (exit 2 when unsafe).
func validTaskIDs(_ raws: [String]) throws -> [TaskID] {
    try raws.map { raw in
        do { return try TaskID(validating: raw) } catch { throw ReelExit.usage(SafeText.escape("\(error)", limit: 1024)) }
    }
}

/// The rendition ladder for a command that does not take a ``ReelConfiguration`` (yet): `--preset` beats
/// `$REEL_LADDER`, which beats 720p,480p (``ArchiveConfiguration``).
func ladder(_ flag: String?) throws -> [RenditionPreset] {
    var options = LadderOptions()
    options.preset = flag
    do { return try ArchiveConfiguration(reader: ConfigurationReader(), flags: options).presets } catch { throw ReelExit(error) }
}
