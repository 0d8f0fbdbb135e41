/// A manifest write refused by its precondition: another process wrote the manifest since this one read it (it took
/// the task over). Whoever gets one stops writing: the task is no longer theirs. A ``FenceError``.
public struct ManifestConflict: FenceError, CustomStringConvertible {
    public let taskId: String
    public let precondition: ManifestPrecondition

    public init(taskId: String, precondition: ManifestPrecondition) {
        self.taskId = taskId
        self.precondition = precondition
    }

    public var description: String {
        "the manifest of task \(CatalogError.printable(taskId)) was written by another process since this one read it "
            + "(it took the task over): this process stops writing; a rerun reads the manifest again and resumes"
    }
}
