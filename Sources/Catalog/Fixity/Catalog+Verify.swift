import DurableFiles
import Foundation

extension Catalog {
    /// The fixity audit of the whole catalog (`reel verify --all`): ``verifyLayout()`` and ``verify(_:)`` for every task
    /// directory. `rehash` re-hashes every catalogued file (it reads every byte); without it sizes are checked.
    public func verifyAll(rehash: Bool = true) async throws -> [FixityProblem] {
        var problems = verifyLayout()
        for id in try await allTaskIDs() { problems += try await verify(id, rehash: rehash) }
        return problems
    }

    /// What is wrong under `tasks/` outside any task: stray files, and directories that are not where a task id puts
    /// them (their problems have no `taskId`).
    public func verifyLayout() -> [FixityProblem] {
        var problems: [FixityProblem] = []
        for shard in FileIO.list(layout.tasksDirectory.path) {
            let path = layout.tasksDirectory.appendingPathComponent(shard).path
            if !FileIO.isDirectory(path) {
                problems.append(.init(kind: .orphanFile, taskId: nil, path: layout.relativePath(of: URL(fileURLWithPath: path)),
                                      detail: "a file where only shard directories belong"))
                continue
            }
            for name in FileIO.list(path) where !FileIO.isDirectory(path + "/" + name) {
                problems.append(.init(kind: .orphanFile, taskId: nil, path: "tasks/\(shard)/\(name)",
                                      detail: "a file where only task directories belong"))
            }
        }
        for entry in layout.scanTaskDirectories() where entry.id == nil {
            problems.append(.init(kind: .misplacedTask, taskId: nil, path: "tasks/\(entry.shard)/\(entry.name)",
                                  detail: "not a safe task id, or not in the shard SHA-256 of its id gives"))
        }
        return problems
    }

    /// The fixity audit of one task: every ``FileRecord`` and ``RenditionRecord`` re-hashed and sized,
    /// every referenced image present, leftover staging files, an unparsable manifest, and files in the
    /// task directory that the manifest does not reference (orphans). A resumable partial download in `.partial/`
    /// (with its sidecar, touched within 7 days) is not a problem; an abandoned one is reported as leftover.
    /// Empty when all is well. Without `rehash`, files are checked for presence and size only (an object store
    /// answers with a HEAD); with it, every byte is read and hashed.
    public func verify(_ id: TaskID, rehash: Bool = true) async throws -> [FixityProblem] {
        let files = try await store.files(of: id)
        let taskPath = layout.relativePath(of: layout.taskDirectory(id))
        var problems: [FixityProblem] = []
        func report(_ kind: FixityProblem.Kind, _ path: String, _ detail: String) {
            problems.append(FixityProblem(kind: kind, taskId: id.rawValue, path: path, detail: detail))
        }

        var manifest: TaskManifest?
        do {
            manifest = try await self.manifest(for: id)
        } catch let error as CatalogError where error == .unparsableManifest || error == .manifestTooLarge {
            report(.unparsableManifest, taskPath + "/manifest.json", error.reason)
        }
        if files.isEmpty, manifest == nil, problems.isEmpty { return [] }

        var referenced = Set<String>()
        for asset in manifest?.assets ?? [] {
            for file in [asset.source, asset.cover].compactMap({ $0 }) {
                referenced.insert(file.path)
                try await check(file.path, bytes: file.bytes, sha256: rehash ? file.sha256 : nil, recorded: file.sha256, report: report)
            }
            for rendition in asset.renditions {
                referenced.insert(rendition.path)
                try await check(rendition.path, bytes: rendition.bytes, sha256: rehash ? rendition.sha256 : nil, recorded: rendition.sha256, report: report)
            }
            var images: [(String, Int64?, String?)] = (asset.thumbnails + [asset.poster].compactMap { $0 }).map { ($0.path, $0.bytes, $0.sha256) }
            if let storyboard = asset.storyboard {
                images += [(storyboard.sprite, nil, storyboard.spriteSha256), (storyboard.vtt, nil, storyboard.vttSha256)]
            }
            for (path, bytes, digest) in images {
                referenced.insert(path)
                try await check(path, bytes: bytes, sha256: rehash ? digest : nil, recorded: digest, report: report)
            }
        }

        let partials = layout.partialDirectory(id)
        // A run at work on the task holds its lock: its staging and partial downloads are in use, not leftovers.
        let busy = isLockedByAnotherRun(id)
        for relative in files {
            let path = taskPath + "/" + relative
            if relative == "manifest.json" || relative == ".lock" { continue }
            if busy, relative.hasPrefix(".partial/") || relative.hasPrefix(".staging/") || Self.isManifestTemporary(relative) {
                continue
            } else if relative.hasPrefix(".partial/") {
                // A download a restart cut, kept to be resumed: not a problem while it has its sidecar and is recent.
                let name = String(relative.dropFirst(".partial/".count))
                if !layout.isResumablePartial(name, in: partials) {
                    report(.leftoverStaging, path, "a partial download that cannot be resumed (no sidecar, or untouched for 7 days); the next run of this task removes it")
                }
            } else if relative.hasPrefix(".staging/") || Self.isManifestTemporary(relative) {
                report(.leftoverStaging, path, "left by an interrupted run; the next run of this task removes it")
            } else if !referenced.contains(path) {
                report(.orphanFile, path, manifest == nil
                    ? "the task has no parsable manifest" : "no manifest entry references it")
            }
        }
        return problems
    }

    /// Records the result of a fixity check in task `id`'s manifest (for the page), under the task's lock, leaving its
    /// `updatedAt` (and so its place in the listing) as it is. Does nothing for a task without a parsable manifest.
    /// Waits at most 5 s for a run that holds the task (the check itself is not worth more).
    public func recordFixity(_ id: TaskID, problems: Int, repair: String? = nil, at date: Date = Date()) async throws {
        try await withTaskLock(id, timeout: .seconds(5)) {
            guard var manifest = try await self.manifest(for: id) else { return }
            manifest.fixity = FixityRecord(checkedAt: date, problems: problems, repair: repair)
            try await save(manifest)
        }
    }

    /// Whether another run holds task `id`'s lock file now (a shared lock is refused while an archive or render holds
    /// it exclusively). Creates nothing: a read-only catalog asks too.
    func isLockedByAnotherRun(_ id: TaskID) -> Bool {
        guard let lock = FileLock(sharedExisting: layout.lockURL(id).path) else { return false }
        defer { lock.close() }
        return (try? lock.tryLock()) == false
    }

    /// Checks one referenced file through the store: a safe path, present, and (when given) of the recorded size and hash.
    private func check(
        _ path: String,
        bytes: Int64?,
        sha256 expected: String?,
        recorded recordedChecksum: String? = nil,
        report: (FixityProblem.Kind, String, String) -> Void
    ) async throws {
        let size: Int64?
        do {
            size = try await store.size(relativePath: path)
        } catch let error as CatalogError where error == .unsafePath {
            report(.unsafePath, path, error.reason)
            return
        }
        guard let size else {
            report(.missingFile, path, "referenced by the manifest, not on disk")
            return
        }
        if let bytes, size != bytes {
            // One problem per file: a file of another size has other bytes too.
            report(.sizeMismatch, path, "manifest says \(bytes) bytes, disk has \(size)")
            return
        }
        if let expected, let actual = try await store.sha256(relativePath: path), actual != expected.lowercased() {
            report(.hashMismatch, path, "manifest says sha256 \(expected), disk has \(actual)")
        } else if expected == nil, let recorded = recordedChecksum, let stored = try await store.recordedSHA256(relativePath: path),
                  stored != recorded.lowercased() {
            // Without a re-hash, the checksum an object store recorded at upload still tells another file.
            report(.hashMismatch, path, "manifest says sha256 \(recorded), the store recorded \(stored)")
        }
    }
}
