import Catalog
import Logging
import TopView
import ReelBasics

extension Archiver {
    /// One asset of a task: a script's preview or export.
    struct AssetKey: Hashable, Sendable {
        let scriptId: Int
        let role: AssetRole

        init(_ item: VideoItem) throws(PipelineError) {
            scriptId = item.scriptId
            role = try item.assetRole()
        }

        init(_ record: AssetRecord) {
            scriptId = record.scriptId
            role = record.role
        }
    }

    /// The items with one per asset (`scriptId` and role), in upstream order: the first of each is kept. Each asset
    /// the upstream listed more than once gets an ``AssetError/duplicateItem(scriptId:role:urls:)`` naming every
    /// URL listed for it, kept one first, so that the others are reported instead of silently dropped. An item whose
    /// role the catalog does not know stops the task (``VideoItem/assetRole()``): it is a task kind's mistake.
    static func firstOfEach(_ items: [VideoItem]) throws(PipelineError)
        -> (items: [(item: VideoItem, role: AssetRole)], duplicates: [AssetKey: AssetError]) {
        var kept: [(item: VideoItem, role: AssetRole)] = []
        var urls: [AssetKey: [String?]] = [:]
        for item in items {
            let key = try AssetKey(item)
            if urls[key] == nil { kept.append((item, key.role)) }
            urls[key, default: []].append(item.videoURL.map(redactedURL))
        }
        var duplicates: [AssetKey: AssetError] = [:]
        for (key, listed) in urls where listed.count > 1 {
            duplicates[key] = .duplicateItem(scriptId: key.scriptId, role: key.role, urls: listed)
        }
        return (kept, duplicates)
    }

    /// `records` with the duplicates' errors recorded (saved in the manifest): an asset's own failure is kept as its
    /// error, a duplicate error left by an earlier run whose upstream has since been fixed is cleared.
    static func recordDuplicates(_ duplicates: [AssetKey: AssetError], in records: [AssetRecord], book: ManifestBook,
                                 logger: Logger) async -> [AssetRecord] {
        var result: [AssetRecord] = []
        for var record in records {
            let duplicate = duplicates[AssetKey(record)]
            let stale = record.error?.code == AssetError.duplicateItemCode
            if let duplicate, record.error == nil || stale {
                record.error = duplicate
                record = await book.save(record, logger: logger)
            } else if stale {
                record.error = nil
                record = await book.save(record, logger: logger)
            }
            result.append(record)
        }
        return result
    }
}
