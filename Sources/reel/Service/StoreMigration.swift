import Catalog
import Foundation
import ObjectStore
import ReelBasics

/// `reel migrate --to-store s3://…`: copies an embedded catalog's files and manifests into an object store, each file
/// verified against its manifest before it goes and uploaded with its SHA-256, each manifest last (so a manifest in the
/// store never names an object that is not there). What the store already holds with the same SHA-256 is skipped: a
/// run cut short is finished by running it again.
struct StoreMigration {
    let root: URL
    let target: String

    struct Counts {
        var tasks = 0, manifestsWritten = 0, manifestsPresent = 0, uploaded = 0, present = 0, bytes: Int64 = 0
        var problems: [String] = []
    }

    func run() async throws {
        var values = ProcessInfo.processInfo.environment
        values["REEL_STORE_URL"] = target
        let store: StoreConfiguration
        do { store = try StoreConfiguration(reader: ConfigurationReader(values), flags: nil) } catch {
            throw ReelExit.usage(error.message.replacingOccurrences(of: "REEL_STORE_URL", with: "--to-store"))
        }
        guard case .s3(let location, let credentials) = store.backend else {
            throw ReelExit.usage("--to-store must be s3://BUCKET[/PREFIX] (got '\(SafeText.escape(target, limit: 200))')")
        }
        guard FileManager.default.fileExists(atPath: root.path) else {
            throw ReelExit.usage("there is no catalog at \(SafeText.escape(root.path, limit: 1024)) to copy")
        }
        let local = LocalAssetStore(layout: CatalogLayout(root: root))
        let client = S3Client(location: location, credentials: credentials, logger: CLILogging.logger("reelvault.s3"))
        let remote = S3AssetStore(client: client, scratch: CatalogLayout(root: store.scratch), logger: CLILogging.logger("reelvault.s3"))
        var counts = Counts()
        for id in try await local.taskIDs() {
            guard let stored = try await local.readManifest(of: id),
                  let manifest = try? CatalogJSON.decoder().decode(TaskManifest.self, from: stored.data) else {
                counts.problems.append("\(id): no parsable manifest; not copied")
                continue
            }
            counts.tasks += 1
            var whole = true
            for (path, sha256) in Self.files(of: manifest) {
                do {
                    try await copy(path, recorded: sha256, from: local, to: remote, counts: &counts)
                } catch {
                    whole = false
                    counts.problems.append("\(path): \(error)")
                }
            }
            // The manifest last, and only for a task whose files all arrived: it never names a missing object.
            guard whole else { continue }
            // Written only where the store has none: a manifest already there (an earlier run's, or the deployment's
            // own since the cut-over) is never overwritten.
            switch try await remote.readManifest(of: id)?.data {
            case nil:
                do {
                    _ = try await remote.writeManifest(stored.data, of: id, requiring: .absent)
                    counts.manifestsWritten += 1
                } catch is ManifestConflict {
                    counts.problems.append("\(id): a manifest appeared in the store meanwhile; left as it is")
                }
            case stored.data?:
                counts.manifestsPresent += 1
            case _?:
                counts.problems.append("\(id): the store holds another manifest for this task (written since a cut-over?); left as it is")
            }
            Output.progress("\(id): copied")
        }
        Output.clearProgress()
        for problem in counts.problems { Output.line("problem: \(SafeText.escape(problem, limit: 1024))") }
        Output.line("tasks: \(counts.tasks) (\(counts.manifestsWritten) manifests written, \(counts.manifestsPresent) already in the store)")
        Output.line(String(format: "files: %d uploaded (%.1f MiB), %d already in the store", counts.uploaded, Double(counts.bytes) / 1_048_576, counts.present))
        let bucket = "s3://\(location.bucket)\(location.prefix.isEmpty ? "" : "/" + location.prefix)"
        if !counts.problems.isEmpty {
            throw ReelExit(code: ReelExit.attention, message: "error: reel migrate: \(counts.problems.count) problem(s); fix them (reel verify --repair) and run it again")
        }
        Output.error("reel migrate: done; run reel with REEL_STORE_URL=\(bucket) (and REEL_DATABASE_URL)")
    }

    /// Every file the manifest records, with its recorded SHA-256 when it has one.
    static func files(of manifest: TaskManifest) -> [(String, String?)] {
        var files: [(String, String?)] = []
        for asset in manifest.assets {
            files += [asset.source, asset.cover].compactMap { $0 }.map { ($0.path, $0.sha256) }
            files += asset.renditions.map { ($0.path, $0.sha256) }
            files += (asset.thumbnails + [asset.poster].compactMap { $0 }).map { ($0.path, $0.sha256) }
            if let board = asset.storyboard { files += [(board.sprite, board.spriteSha256), (board.vtt, board.vttSha256)] }
        }
        return files
    }

    /// One file: hashed locally (and checked against its manifest), skipped when the store recorded the same SHA-256,
    /// else uploaded with it.
    private func copy(_ path: String, recorded: String?, from local: LocalAssetStore, to remote: S3AssetStore, counts: inout Counts) async throws {
        guard let size = try await local.size(relativePath: path), let digest = try await local.sha256(relativePath: path) else {
            throw MigrationProblem("missing on the storage root; not copied")
        }
        if let recorded, recorded.lowercased() != digest {
            throw MigrationProblem("its bytes no longer match the manifest (sha256 \(digest), recorded \(recorded)); not copied")
        }
        if try await remote.recordedSHA256(relativePath: path) == digest {
            counts.present += 1
            return
        }
        let key = remote.client.location.key(path)
        try await remote.client.upload(try local.layout.absoluteURL(relative: path), key: key, sha256: digest, size: size,
                                       contentType: ContentTypes.forPath(path))
        counts.uploaded += 1
        counts.bytes += size
    }

    struct MigrationProblem: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
