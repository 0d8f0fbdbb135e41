import Catalog
import DurableFiles
import Foundation
import Logging
import Media
import TopView
import ReelBasics

/// Archives one video item of a task: download video and cover → keep the source (checkpoint) → verify → stills →
/// renditions → commit. Files enter the catalog only complete (staged, then renamed into place); the manifest records
/// the kept source before the decode pass and everything else after it. Downloads go to the task's `.partial/`
/// (with a sidecar) instead of `.staging/`: one cut by a restart resumes with `Range` + `If-Range`; they are removed
/// once the asset is archived, or when untouched for 7 days.
struct AssetArchiver: Sendable {
    let context: ArchiveContext
    let taskId: TaskID
    let book: ManifestBook
    /// Re-queries the task for fresh URLs of this item (after an expired URL).
    let refresh: @Sendable () async throws -> VideoItem?

    var catalog: Catalog { context.catalog }
    var layout: CatalogLayout { context.catalog.layout }

    /// Archives `item`. A `checkpoint` left by an earlier run that did not finish (interrupted, or failed for a reason
    /// that is not the source's: a full disk, a kill) is resumed: its source, when intact (size and SHA-256), is used
    /// instead of downloading the video again, and only a missing or damaged cover is fetched. A source that failed
    /// as media (undecodable, no video stream) is fetched again: the vendor may have fixed it. Until a new source is
    /// committed, the record keeps pointing at the old one, so the only copy is never orphaned.
    /// `role` is the item's (``VideoItem/assetRole()``, checked by the caller).
    func archive(_ item: VideoItem, role: AssetRole, checkpoint: AssetRecord? = nil) async -> AssetRecord {
        var record = AssetRecord(scriptId: item.scriptId, role: role, state: .pending, reportedDurationUs: item.reportedDurationUs,
                                 reportedDurationRaw: item.reportedDurationRaw)
        record.source = checkpoint?.source
        record.cover = checkpoint?.cover
        let logger = logger(for: item)
        removeAbandonedPartials(logger: logger)
        do {
            let resume = await resumable(checkpoint)
            if resume { logger.info("resuming from the source an earlier run kept; not downloading it again") }
            try await book.upsert(record)
            record = role.isVideo
                ? try await work(item, role: role, record: record, resume: resume, logger: logger)
                : try await workOriginal(item, role: role, record: record, logger: logger)
        } catch where Task.isCancelled {
            // Shutdown, not a failure: the asset stays pending (with its source, once kept) and the next run (or the
            // recovered job) resumes it.
            logger.notice("asset interrupted", metadata: ["error": "\(error)"])
            record = await book.asset(scriptId: item.scriptId, role: role) ?? record
            record.state = .pending
            record.error = nil
        } catch {
            logger.error("asset failed", metadata: ["error": "\(error)"])
            record = await book.asset(scriptId: item.scriptId, role: role) ?? record
            record.state = .failed
            record.error = AssetError(code: Self.errorCode(error), message: "\(error)")
        }
        record = await book.save(record, logger: logger)
        do {
            try catalog.store.discardStaging(for: taskId, name: stagingName(item))
        } catch {
            logger.warning("staging not removed; the next run of the task removes it", metadata: ["error": "\(error)"])
        }
        if record.state == .archived { removePartials(item, role: role, logger: logger) }
        let detail = record.verification.map { "\($0.verdict)" } ?? (record.error?.message ?? "")
        context.events(.assetDone(task: taskId.rawValue, scriptId: item.scriptId, role: role.rawValue, state: record.state.rawValue, detail: detail))
        if let warning = record.verification?.desyncWarning {
            context.events(.assetWarning(task: taskId.rawValue, scriptId: item.scriptId, role: role.rawValue, text: warning))
        }
        return record
    }

    /// Whether `checkpoint`'s source can be used instead of a download: not archived yet, not failed as media, and
    /// whole (its hash is computed on a thread of its own, off the cooperative pool).
    private func resumable(_ checkpoint: AssetRecord?) async -> Bool {
        guard let checkpoint, checkpoint.state != .archived, let source = checkpoint.source else { return false }
        if let code = checkpoint.error?.code, code == "undecodable" || (code.hasPrefix("media.") && code != "media.cancelled") {
            return false
        }
        return await catalog.store.holds(source, hashing: true)
    }

    private func work(_ item: VideoItem, role: AssetRole, record start: AssetRecord, resume: Bool, logger: Logger) async throws -> AssetRecord {
        var record = start
        let staging = try catalog.store.stagingDirectory(for: taskId, name: stagingName(item))
        let path = { (file: AssetFile) throws -> String in try layout.assetPath(taskId, scriptId: item.scriptId, role: role, file) }

        var current = item
        let partialSource = layout.partialFile(taskId, scriptId: item.scriptId, role: role, .source)
        try FileIO.createDirectories(layout.partialDirectory(taskId))
        if !resume {
            let (video, queried, cover) = try await context.limits.downloads.withPermit {
                emit(item, "download")
                let (video, queried) = try await fetch(item, file: .source, into: partialSource)
                return (video, queried, await fetchCover(queried, role: role, logger: logger))
            }
            current = queried
            record.reportedDurationUs = current.reportedDurationUs
            Failpoint.hit("archive.downloaded")
            // The source is committed at once, before any decode: it is the only copy of a video whose URL expires,
            // kept even when it does not verify, and a run interrupted from here on resumes from it without a download.
            let sourcePath = try path(.source)
            try await catalog.store.commit(staged: partialSource, to: sourcePath, sha256: video.sha256)
            PartialDownload.forget(partialSource)
            Failpoint.hit("archive.source.committed")
            record.source = FileRecord(path: sourcePath, bytes: video.bytes, sha256: video.sha256, url: redactedURL(current.videoURL ?? ""))
            record.cover = try await commitCover(cover, to: path(.cover)) ?? record.cover
            try await book.upsert(record)
            Failpoint.hit("archive.checkpointed")
        } else if item.coverURL != nil, await !catalog.store.holds(record.cover, hashing: true) {
            // The kept source is whole but its cover is missing or damaged: fetch the cover alone.
            let cover = try await context.limits.downloads.withPermit { await fetchCover(item, role: role, logger: logger) }
            record.cover = try await commitCover(cover, to: path(.cover)) ?? record.cover
            try await book.upsert(record)
        }

        let sourcePath = try record.source?.path ?? path(.source)
        let bytes = record.source?.bytes ?? 0
        let report = try await context.limits.media.withPermit {
            try DiskSpace.require(bytes: bytes * 2 + (64 << 20), at: catalog.root, for: "renditions of \(bytes) bytes")
            emit(item, "process")
            return try await catalog.store.withLocalFile(relativePath: sourcePath) { [current] source in
                try await process(item, role: role, current: current, source: source, staging: staging)
            }
        }

        Failpoint.hit("archive.processed")
        emit(item, "commit")
        let v = report.verification
        record.verification = VerificationRecord(verdict: v.verdict.rawValue, measuredDurationUs: v.measuredDurationUs, deltaUs: v.deltaUs,
                                                 toleranceUs: v.toleranceUs, frames: v.frames, decodeErrors: v.decodeErrors,
                                                 audioFailure: v.audioFailure, avDesyncUs: v.avDesyncUs, avDesync: v.avDesync)
        let store = catalog.store
        if let poster = report.thumbnails.poster {
            record.poster = try await store.commitStill(poster, to: path(.poster))
        }
        record.thumbnails = []
        for (i, still) in report.thumbnails.thumbnails.enumerated() {
            record.thumbnails.append(try await store.commitStill(still, to: path(.thumbnail(i + 1))))
        }
        if let board = report.thumbnails.storyboard {
            record.storyboard = try await store.commitStoryboard(board, sprite: path(.storyboardSprite), vtt: path(.storyboardVTT))
        }
        record.renditions = []
        for r in report.renditions {
            record.renditions.append(try await store.commitRendition(r, to: path(.rendition(preset: r.preset))))
        }
        Failpoint.hit("archive.committed")
        record.skippedPresets = report.skipped.map { SkippedPreset(preset: $0.preset, reason: $0.reason) }
        if v.verdict == .undecodable {
            record.state = .failed
            record.error = AssetError(code: "undecodable", message: v.reason ?? "the video does not decode")
        } else {
            record.state = .archived
            record.error = nil
        }
        return record
    }

    /// The one decode of the downloaded source: verification, stills and renditions into the staging directory.
    private func process(_ item: VideoItem, role: AssetRole, current: VideoItem, source: URL, staging: URL) async throws -> PassReport {
        let derived = staging.appendingPathComponent("derived").path
        let settings = context.settings
        let request = PassRequest(
            reportedDurationUs: current.reportedDurationUs, tolerance: settings.tolerance,
            thumbnails: ThumbnailRequest(count: settings.thumbnailCount, poster: true, storyboard: StoryboardOptions()),
            thumbnailDirectory: derived, presets: settings.presets, renditionDirectory: derived + "/renditions",
            encoder: settings.encoder)
        let events = context.events
        let task = taskId.rawValue
        // What the one decode makes, and the media's length (headers only) for the speed against real time.
        let parts = (["verify", "stills"] + settings.presets.map(\.name)).joined(separator: ", ")
        let probe = try? await MediaEngine.probe(source.path)
        let length = probe?.durationUs.map { Double($0) / 1_000_000 }
        events(.processing(task: task, scriptId: item.scriptId, role: role.rawValue, parts: parts, mediaSeconds: length,
                           frameRate: probe?.video?.avgFrameRate))
        return try await MediaEngine.process(source.path, request) { fraction in
            events(.progress(task: task, scriptId: item.scriptId, role: role.rawValue, stage: "process", fraction: fraction))
        }
    }

    /// Downloads one file of the item, re-querying the task for a fresh URL when the URL has expired; returns
    /// the item as last queried (its URL is the one that worked).
    func fetch(_ item: VideoItem, file: AssetFile, into destination: URL) async throws -> (DownloadResult, VideoItem) {
        var current = item
        let limit = context.settings.maxRequeries
        for requery in 0...limit {
            let target = file == .cover ? current.coverURL : current.videoURL
            guard let target else { throw PipelineError.missingURL(file == .cover ? "coverUrl" : "videoUrl") }
            let outcome = await download(target, to: destination, item: current)
            switch outcome {
            case .success(let result):
                return (result, current)
            case .failure(let error):
                guard error.isExpired, requery < limit else { throw error }
                context.logger.info("URL expired; querying the task for a fresh one",
                                    metadata: ["task.id": "\(taskId)", "requery": "\(requery + 1)"])
                guard let fresh = try await refresh(), (file == .cover ? fresh.coverURL : fresh.videoURL) != nil else { throw error }
                current = fresh
            }
        }
        throw PipelineError.missingURL("fresh URL")
    }

    private func download(_ url: String, to destination: URL, item: VideoItem) async -> Result<DownloadResult, DownloadError> {
        let events = context.events, task = taskId.rawValue, role = item.role, sid = item.scriptId
        do {
            return .success(try await context.downloader.download(from: url, to: destination, keepingPartial: true, progress: { received, total in
                guard let total, total > 0 else { return }
                events(.transfer(task: task, scriptId: sid, role: role, received: received, total: total))
            }, retrying: { attempt, maxAttempts, kept, reason in
                let resume = kept > 0 ? String(format: "resuming from %.1f MiB", Double(kept) / 1_048_576) : "starting over"
                events(.downloadRetry(task: task, scriptId: sid, role: role,
                                      line: "download interrupted (\(reason)); \(resume) (attempt \(attempt)/\(maxAttempts))"))
            }))
        } catch {
            return .failure(error)
        }
    }

    /// Downloads the item's cover into `.partial/`; a cover that cannot be fetched is logged, not fatal.
    private func fetchCover(_ item: VideoItem, role: AssetRole, logger: Logger) async -> (URL, DownloadResult, String)? {
        guard item.coverURL != nil else { return nil }
        let file = layout.partialFile(taskId, scriptId: item.scriptId, role: role, .cover)
        do {
            let (result, fresh) = try await fetch(item, file: .cover, into: file)
            return (file, result, fresh.coverURL ?? "")
        } catch {
            logger.warning("cover not archived", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func commitCover(_ cover: (URL, DownloadResult, String)?, to path: String) async throws -> FileRecord? {
        guard let (file, result, url) = cover else { return nil }
        try await catalog.store.commit(staged: file, to: path, sha256: result.sha256)
        PartialDownload.forget(file)
        return FileRecord(path: path, bytes: result.bytes, sha256: result.sha256, url: redactedURL(url))
    }

    /// Removes the partial downloads of this asset (it is archived: nothing is left to resume). Best effort: one left
    /// behind is removed by a later run once it is 7 days old (``removeAbandonedPartials(logger:)``).
    private func removePartials(_ item: VideoItem, role: AssetRole, logger: Logger) {
        let directory = layout.partialDirectory(taskId)
        let prefix = CatalogLayout.partialPrefix(scriptId: item.scriptId, role: role)
        for name in FileIO.names(in: directory.path) where name.hasPrefix(prefix) {
            do {
                try FileIO.removeFile(directory.appendingPathComponent(name).path)
            } catch {
                logger.notice("partial download not removed; a later run removes it", metadata: ["partial.name": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// Removes partial downloads of the task untouched for `CatalogLayout.partialMaximumAge` (7 days), and temporaries
    /// of their sidecars: a download in progress touches its file with every chunk, so none of them is in use.
    private func removeAbandonedPartials(logger: Logger) {
        let directory = layout.partialDirectory(taskId)
        let now = Date()
        for name in FileIO.names(in: directory.path) {
            let path = directory.appendingPathComponent(name).path
            guard CatalogLayout.partialAge(path, now: now) >= CatalogLayout.partialMaximumAge else { continue }
            do {
                try FileIO.removeFile(path)
                logger.notice("removed an abandoned partial download", metadata: ["partial.name": "\(name)"])
            } catch {
                // Best effort: the next run of the task tries again.
                logger.notice("abandoned partial download not removed", metadata: ["partial.name": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// The item's directory in the task's staging area.
    private func stagingName(_ item: VideoItem) -> String {
        "\(item.scriptId)-\(item.role)"
    }

    func emit(_ item: VideoItem, _ stage: String) {
        context.events(.stage(task: taskId.rawValue, scriptId: item.scriptId, role: item.role, stage: stage))
    }

    private func logger(for item: VideoItem) -> Logger {
        var logger = context.logger
        logger[metadataKey: "task.id"] = "\(taskId)"
        logger[metadataKey: "asset.script_id"] = "\(item.scriptId)"
        logger[metadataKey: "asset.role"] = "\(item.role)"
        return logger
    }

    static func errorCode(_ error: any Error) -> String {
        switch error {
        case let e as DownloadError: return "download.\(e.kind)"
        // A full volume is the environment, not the source: the asset resumes from its kept source.
        case let e as MediaError where e.code == .noSpace: return "insufficient_space"
        case let e as MediaError: return "media.\(e.code.rawValue)"
        case let e as TopViewError: return e.code ?? "topview"
        case let e as PipelineError: return e.code
        case is CatalogError, is FileError: return "catalog"
        default: return "internal"
        }
    }
}
