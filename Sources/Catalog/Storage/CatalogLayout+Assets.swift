import ReelBasics

/// One kind of file of an asset, named as the layout names it.
public enum AssetFile: Sendable, Hashable {
    /// `source.mp4`: a video as downloaded.
    case source
    /// `source.<ext>`: an image or audio as downloaded, named by its detected format (``AssetFile/originalExtensions``).
    case original(ext: String)
    case cover
    case poster
    /// `thumbs/NNN.jpg`, the index zero-padded to 3 digits.
    case thumbnail(Int)
    case storyboardSprite
    case storyboardVTT
    /// `renditions/<preset>.mp4`; the preset must be a safe path component.
    case rendition(preset: String)

    /// The extensions an image or audio source may have.
    public static let originalExtensions: Set<String> = ["jpg", "png", "webp", "m4a", "mp3", "wav"]

    /// The path inside the asset directory.
    public var name: String {
        switch self {
        case .source: "source.mp4"
        case .original(let ext): "source.\(ext)"
        case .cover: "cover.jpg"
        case .poster: "poster.jpg"
        case .thumbnail(let index):
            "thumbs/" + String(repeating: "0", count: max(0, 3 - String(index).count)) + String(index) + ".jpg"
        case .storyboardSprite: "storyboard/sprite.jpg"
        case .storyboardVTT: "storyboard/storyboard.vtt"
        case .rendition(let preset): "renditions/\(preset).mp4"
        }
    }
}

extension CatalogLayout {
    /// The path, relative to the root, of `file` of the asset `scriptId`/`role` of task `id`:
    /// what a ``FileRecord`` stores and ``AssetStore/commit(staged:to:)`` takes.
    public func assetPath(_ id: TaskID, scriptId: Int, role: AssetRole, _ file: AssetFile) throws(CatalogError) -> String {
        switch file {
        case .thumbnail(let index) where index < 0:
            throw .unsafePath(file.name, "negative thumbnail index")
        case .original(let ext) where !AssetFile.originalExtensions.contains(ext):
            throw .unsafePath(file.name, "not a known image or audio extension")
        case .rendition(let preset):
            if let why = SafeName.problem(preset, maximumLength: 64) { throw CatalogError.unsafePath(preset, "preset \(why)") }
        default:
            break
        }
        return "tasks/\(Self.shard(of: id))/\(id.rawValue)/\(scriptId)/\(role.rawValue)/\(file.name)"
    }
}
