import Catalog
import DurableFiles
import Foundation
import Logging
import TopView

/// The product's main job for one task: query (polling until settled), then archive every finished video
/// into the catalog. Safe to rerun: archived assets are kept, new or failed ones are (re)done.
public struct Archiver: Sendable {
    public let context: ArchiveContext

    public init(context: ArchiveContext) {
        self.context = context
    }

    public func archive(taskId raw: String, kind: any TaskKind.Type) async -> ArchiveOutcome {
        let outcome: ArchiveOutcome
        do {
            let id = try TaskID(validating: raw)
            outcome = try await context.catalog.withTaskLock(id) {
                await archiveLocked(id, kind: kind)
            }
        } catch let error as CatalogError where error == .unsafeTaskID {
            outcome = ArchiveOutcome(taskId: raw, status: .usage, message: error.description)
        } catch {
            outcome = ArchiveOutcome(taskId: raw, status: .attention, message: "\(error)",
                                     upstreamCode: (error as? TopViewError)?.upstreamLabel)
        }
        context.events(.taskDone(task: raw, status: outcome.status, message: outcome.message))
        return outcome
    }

    private func archiveLocked(_ id: TaskID, kind: any TaskKind.Type) async -> ArchiveOutcome {
        let task = id.rawValue
        let poller = TaskPoller(client: context.client, kind: kind, settings: context.settings, events: context.events)
        let polled: (snapshot: TaskSnapshot, settled: Bool)
        do {
            polled = try await poller.poll(taskId: task)
        } catch {
            return ArchiveOutcome(taskId: task, status: Self.status(for: error), message: error.description,
                                  upstreamCode: error.upstreamLabel)
        }
        Failpoint.hit("archive.polled")
        do {
            let existing = try await context.catalog.manifest(for: id)
            var manifest = existing ?? TaskManifest(taskId: id, kind: kind.name)
            manifest.kind = kind.name
            manifest.status = polled.snapshot.status
            manifest.errorMsg = polled.snapshot.errorMsg
            let book = ManifestBook(catalog: context.catalog, manifest: manifest)
            try await book.update { _ in }
            guard polled.settled else {
                try await recordUnsettled(polled.snapshot, in: book)
                let state = polled.snapshot.status ?? "unknown"
                let hint = context.settings.wait
                    ? "still \(state) upstream after waiting \(Int(context.settings.timeout.inSeconds)) s; wait longer with --timeout, or let reel serve finish it: reel watch add \(task)"
                    : "task is \(state) upstream; wait for it with --wait (and --timeout), or let reel serve finish it: reel watch add \(task)"
                return ArchiveOutcome(taskId: task, status: .notSettled, message: hint)
            }
            let records = try await archiveItems(polled.snapshot, id: id, kind: kind, book: book)
            return Self.outcome(task: task, snapshot: polled.snapshot, records: records)
        } catch {
            return ArchiveOutcome(taskId: task, status: .attention, message: "\(error)",
                                  upstreamCode: (error as? TopViewError)?.upstreamLabel)
        }
    }

    /// Works the items with at most `jobs` at once; each item's failure is recorded and the others go on.
    private func archiveItems(_ snapshot: TaskSnapshot, id: TaskID, kind: any TaskKind.Type, book: ManifestBook) async throws -> [AssetRecord] {
        var logger = context.logger
        logger[metadataKey: "task.id"] = "\(id)"
        var records: [AssetRecord] = []
        var work: [(item: VideoItem, role: AssetRole, checkpoint: AssetRecord?)] = []
        let (items, duplicates) = try Self.firstOfEach(snapshot.items)
        for (item, role) in items {
            let existing = await book.asset(scriptId: item.scriptId, role: role)
            // An archived asset whose source is still in the store at the recorded size is not fetched again.
            if let existing, existing.state == .archived, await context.catalog.store.holds(existing.source, hashing: false) {
                records.append(existing)
                continue
            }
            // Item statuses come in any case (`SUCCESS`).
            let status = item.status?.lowercased()
            switch status {
            case "success" where item.videoURL != nil:
                work.append((item, role, existing))
            case nil:
                let record = Self.keepingFiles(of: existing, AssetRecord(scriptId: item.scriptId, role: role, state: .absent,
                                                                        reportedDurationUs: item.reportedDurationUs))
                records.append(await book.save(record, logger: logger))
            default:
                var message = status == "success" ? "upstream reported success without a media URL"
                                                  : "failed upstream (item status \(item.status ?? "null"))"
                if let error = item.errorMsg { message += ": \(error)" }
                let record = Self.keepingFiles(of: existing, AssetRecord(scriptId: item.scriptId, role: role, state: .failed,
                                         error: AssetError(code: "upstream.\(status ?? "null")", message: message),
                                         reportedDurationUs: item.reportedDurationUs))
                records.append(await book.save(record, logger: logger))
            }
        }
        let client = context.client
        let task = id.rawValue
        let limit = context.settings.jobs
        await withTaskGroup(of: AssetRecord.self) { group in
            var next = 0
            func start() {
                let (item, role, checkpoint) = work[next]
                next += 1
                let archiver = AssetArchiver(context: context, taskId: id, book: book) {
                    let fresh = try await client.query(kind: kind, taskId: task)
                    return fresh.items.first { $0.scriptId == item.scriptId && $0.role == item.role }
                }
                group.addTask { await archiver.archive(item, role: role, checkpoint: checkpoint) }
            }
            while next < work.count && next < limit { start() }
            for await record in group {
                records.append(record)
                if next < work.count { start() }
            }
        }
        return await Self.recordDuplicates(duplicates, in: records, book: book, logger: logger)
    }

    /// Before the task settles, items are recorded as pending (or absent), keeping what is already archived.
    private func recordUnsettled(_ snapshot: TaskSnapshot, in book: ManifestBook) async throws {
        for (item, role) in try Self.firstOfEach(snapshot.items).items {
            let existing = await book.asset(scriptId: item.scriptId, role: role)
            if existing?.state == .archived { continue }
            let state: AssetState = item.status == nil ? .absent : .pending
            try await book.upsert(Self.keepingFiles(of: existing, AssetRecord(scriptId: item.scriptId, role: role, state: state,
                                                                              reportedDurationUs: item.reportedDurationUs)))
        }
    }

    /// `record` still pointing at the source and cover an earlier run kept: a file in the catalog is never left
    /// without the manifest entry that accounts for it.
    static func keepingFiles(of existing: AssetRecord?, _ record: AssetRecord) -> AssetRecord {
        var record = record
        record.source = existing?.source
        record.cover = existing?.cover
        return record
    }

    static func outcome(task: String, snapshot: TaskSnapshot, records: [AssetRecord]) -> ArchiveOutcome {
        var problems: [String] = []
        if snapshot.isFailed { problems.append("task failed upstream: \(snapshot.errorMsg ?? "no message")") }
        for r in records {
            let name = "script \(r.scriptId) \(r.role.rawValue)"
            // A failed asset, or an archived one with something to report (``AssetError/duplicateItemCode``).
            if r.state == .failed || r.error != nil { problems.append("\(name): \(r.error?.message ?? "failed")") }
            if let verdict = r.verification?.verdict, verdict == "mismatch" {
                problems.append("\(name): duration mismatch (delta \(r.verification?.deltaUs ?? 0) µs)")
            }
        }
        return ArchiveOutcome(taskId: task, status: problems.isEmpty ? .ok : .attention,
                              message: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    static func status(for error: TopViewError) -> ArchiveStatus {
        switch error.disposition {
        case .credentials: return .usage
        case .notFound, .permanent: return error.isExhausted ? .unavailable : .attention
        case .transient, .transientLongWait: return .unavailable
        }
    }
}
