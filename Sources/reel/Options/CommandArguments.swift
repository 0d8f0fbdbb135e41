import Catalog
import ReelBasics

/// Validates task ids before anything touches the disk (exit 2 when unsafe).
func validTaskIDs(_ raws: [String]) throws -> [TaskID] {
    try raws.map { raw in
        do { return try TaskID(validating: raw) } catch { throw ReelExit.usage(SafeText.escape("\(error)", limit: 1024)) }
    }
}
