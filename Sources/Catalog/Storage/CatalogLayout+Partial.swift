import DurableFiles
import Foundation

/// Where a download that may outlive its process is kept until it is whole.
///
/// ```
/// tasks/<shard>/<taskId>/.partial/
///   <scriptId>-<role>-<file>          the bytes received so far (`1-preview-source.mp4`, `1-preview-cover.jpg`)
///   <scriptId>-<role>-<file>.json     its sidecar: URL without query string, ETag/Last-Modified, length, bytes synced
/// ```
///
/// Unlike `.staging/`, `.partial/` is not emptied when the task lock is taken: a download cut by a restart resumes
/// from it with `Range` + `If-Range`. A partial never becomes a catalog file before it is whole (it is fsynced and
/// renamed into place, like a staged file); it is removed once its asset is archived, or when untouched for
/// ``CatalogLayout/partialMaximumAge``. `reel verify` does not report a partial that has its sidecar and is younger.
extension CatalogLayout {
    /// A partial download untouched for this long (7 days) is abandoned: the next run of its task removes it.
    public static let partialMaximumAge: TimeInterval = 7 * 24 * 3600

    public func partialDirectory(_ id: TaskID) -> URL {
        taskDirectory(id).appendingPathComponent(".partial", isDirectory: true)
    }

    /// The prefix of the partial files of asset `scriptId`/`role`: `<scriptId>-<role>-`.
    public static func partialPrefix(scriptId: Int, role: AssetRole) -> String {
        "\(scriptId)-\(role.rawValue)-"
    }

    /// The partial download of `file` (the source or the cover) of asset `scriptId`/`role` of task `id`.
    public func partialFile(_ id: TaskID, scriptId: Int, role: AssetRole, _ file: AssetFile) -> URL {
        partialDirectory(id).appendingPathComponent(Self.partialPrefix(scriptId: scriptId, role: role) + file.name)
    }

    /// The sidecar of a partial download: its name plus `.json`.
    public static func partialSidecar(of data: URL) -> URL {
        data.deletingLastPathComponent().appendingPathComponent(data.lastPathComponent + ".json")
    }

    /// Whether the file `name` in a task's `.partial/` directory is a resumable download or its sidecar: the pair
    /// exists and was touched within ``partialMaximumAge`` of `now`.
    public func isResumablePartial(_ name: String, in directory: URL, now: Date = Date()) -> Bool {
        let data = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        let dataPath = directory.appendingPathComponent(data).path
        let sidecarPath = dataPath + ".json"
        guard !name.hasPrefix("."), FileIO.isRegularFile(dataPath), FileIO.isRegularFile(sidecarPath) else { return false }
        return Self.partialAge(dataPath, sidecarPath, now: now) < Self.partialMaximumAge
    }

    /// Seconds since the newest modification of any of `paths` (0 if none can be read).
    package static func partialAge(_ paths: String..., now: Date) -> TimeInterval {
        let newest = paths.compactMap(FileIO.stamp).map { Double($0.modified) / 1e9 }.max()
        return newest.map { now.timeIntervalSince1970 - $0 } ?? 0
    }
}
