import Catalog
import TopView

extension VideoItem {
    /// The catalog role of this item. Task kinds name their items' roles (``VideoItem/previewRole``,
    /// ``VideoItem/exportRole``, ``VideoItem/videoRole``, …); a role the catalog does not know is refused, never archived
    /// under a guessed one.
    func assetRole() throws(PipelineError) -> AssetRole {
        guard let role = AssetRole(rawValue: role) else {
            throw PipelineError(code: "unknown_role",
                                message: "item of script \(scriptId) has the role '\(role)', which the catalog does not know "
                                    + "(\(AssetRole.allCases.map(\.rawValue).joined(separator: ", "))); a task kind must map its items to these")
        }
        return role
    }
}
