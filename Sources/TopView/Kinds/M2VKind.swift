/// The marketing-video task (`/v1/m2v/task/query`): previews and exports of each script.
///
/// Result fields read: `taskId` (required), `status` (or `taskStatus`), `errorMsg`, and the arrays
/// `previewVideos` (role `preview`) and `exportVideos` (role `export`) whose items carry `scriptId`,
/// `status`, `title`, `videoUrl`, `coverUrl` and `videoDuration` (microseconds). Everything else is ignored.
/// How an item without a usable `scriptId` is numbered is described at ``TaskResultReader``:
/// its index in its array, unless another item of that array already claims that id.
public struct M2VKind: TaskKind {
    public static let name = "m2v"
    public static let queryPath = "/v1/m2v/task/query"

    /// `M2V_PREVIEW` and `M2V_EXPORT`; `M2V_SCRIPT` is a script, not media.
    public static func handles(bizType: String) -> Bool {
        ["M2V_PREVIEW", "M2V_EXPORT"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        let object = try TaskResultReader.object(result, kind: name)
        let taskId = try TaskResultReader.taskId(object, kind: name)
        let previews = try TaskResultReader.items(
            object["previewVideos"], role: VideoItem.previewRole, field: "previewVideos", kind: name, read: item
        )
        let exports = try TaskResultReader.items(
            object["exportVideos"], role: VideoItem.exportRole, field: "exportVideos", kind: name, read: item
        )
        return TaskSnapshot(
            taskId: taskId,
            kind: name,
            status: TaskResultReader.text(object["status"]) ?? TaskResultReader.text(object["taskStatus"]),
            errorMsg: TaskResultReader.text(object["errorMsg"]),
            items: previews + exports
        )
    }

    private static func item(_ object: [String: JSONValue], _ role: String, _ scriptId: Int) -> VideoItem {
        VideoItem(
            scriptId: scriptId,
            role: role,
            status: TaskResultReader.text(object["status"]),
            title: TaskResultReader.text(object["title"]),
            videoURL: TaskResultReader.url(object["videoUrl"]),
            coverURL: TaskResultReader.url(object["coverUrl"]),
            reportedDurationUs: TaskResultReader.microseconds(object["videoDuration"])
        )
    }
}
