import Crypto
import Foundation
import Testing
import Catalog

/// The behaviour every ``AssetStore`` promises, one case per check, using only the protocol.
public enum AssetStoreCheck: String, CaseIterable, Sendable, CustomStringConvertible {
    case commitPutsTheWholeFileInPlace
    case nothingIsVisibleBeforeTheCommit
    case readersSeeTheOldFileOrTheNewNeverAMix
    case commitReplaces
    case removingAMissingFileIsFine
    case aCommitWithoutAStagedFileChangesNothing
    case unsafePathsAreRefused
    case sizesAndHashes
    case listingATasksFiles
    case stagingAreasStartEmptyAndAreDiscarded
    case manifestsAreWrittenWholeAndConditionally
    case taskIDsAreTheTasksWithFiles

    public var description: String { rawValue }

    public func run(on backend: AssetStoreBackend) async throws {
        try await backend.run { store in
            switch self {
            case .commitPutsTheWholeFileInPlace: try await AssetStoreContract.commitPutsTheWholeFileInPlace(store)
            case .nothingIsVisibleBeforeTheCommit: try await AssetStoreContract.nothingIsVisibleBeforeTheCommit(store)
            case .readersSeeTheOldFileOrTheNewNeverAMix: try await AssetStoreContract.readersSeeTheOldFileOrTheNewNeverAMix(store)
            case .commitReplaces: try await AssetStoreContract.commitReplaces(store)
            case .removingAMissingFileIsFine: try await AssetStoreContract.removingAMissingFileIsFine(store)
            case .aCommitWithoutAStagedFileChangesNothing: try await AssetStoreContract.aCommitWithoutAStagedFileChangesNothing(store)
            case .unsafePathsAreRefused: try await AssetStoreContract.unsafePathsAreRefused(store)
            case .sizesAndHashes: try await AssetStoreContract.sizesAndHashes(store)
            case .listingATasksFiles: try await AssetStoreContract.listingATasksFiles(store)
            case .stagingAreasStartEmptyAndAreDiscarded: try await AssetStoreContract.stagingAreasStartEmptyAndAreDiscarded(store)
            case .manifestsAreWrittenWholeAndConditionally: try await AssetStoreContract.manifestsAreWrittenWholeAndConditionally(store)
            case .taskIDsAreTheTasksWithFiles: try await AssetStoreContract.taskIDsAreTheTasksWithFiles(store)
            }
        }
    }
}

/// The checks themselves.
enum AssetStoreContract {
    static let task = taskID("contract-task")

    static func taskID(_ raw: String) -> TaskID {
        try! TaskID(validating: raw)
    }
    /// Paths as the catalog builds them (the layout's paths do not depend on its root).
    static let layout = CatalogLayout(root: URL(fileURLWithPath: "/"))

    static func path(_ file: AssetFile, task: TaskID = task, scriptId: Int = 1) throws -> String {
        try layout.assetPath(task, scriptId: scriptId, role: .preview, file)
    }

    /// Stages `data` under a fresh name in the task's staging area and returns the staged file.
    static func stage(_ store: any AssetStore, _ data: Data, task: TaskID = task) throws -> URL {
        let url = try store.stagingFile(for: task, name: "staged-\(UUID().uuidString)")
        try data.write(to: url)
        return url
    }

    static func digest(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func read(_ store: any AssetStore, _ path: String) async throws -> Data {
        try await store.withLocalFile(relativePath: path) { url in try Data(contentsOf: url) }
    }

    /// `count` bytes of a 4 099-byte pattern: cheap to make in a debug build (the cooperative threads it runs on also
    /// serve other tests' in-process servers).
    static func bytes(_ count: Int, seed: UInt8) -> Data {
        let pattern = Data((0..<4099).map { UInt8(truncatingIfNeeded: $0 &* 31) ^ seed })
        var data = Data(capacity: count)
        while data.count < count { data.append(pattern.prefix(count - data.count)) }
        return data
    }

    static func commitPutsTheWholeFileInPlace(_ store: any AssetStore) async throws {
        let data = bytes(3 << 20, seed: 7)
        let staged = try stage(store, data)
        let source = try path(.source)
        try await store.commit(staged: staged, to: source)
        #expect(try await store.size(relativePath: source) == Int64(data.count))
        #expect(try await store.sha256(relativePath: source) == digest(data))
        #expect(try await read(store, source) == data)
        #expect(!FileManager.default.fileExists(atPath: staged.path), "the staged file is consumed")
    }

    static func nothingIsVisibleBeforeTheCommit(_ store: any AssetStore) async throws {
        let source = try path(.source)
        let staged = try stage(store, bytes(1 << 20, seed: 1))
        #expect(try await store.size(relativePath: source) == nil)
        #expect(try await store.sha256(relativePath: source) == nil)
        await #expect(throws: CatalogError.io) { _ = try await read(store, source) }
        #expect(try await store.files(of: task).filter { !$0.hasPrefix(".") }.isEmpty, "a staged file is not a stored file")
        try await store.commit(staged: staged, to: source)
        #expect(try await store.files(of: task).filter { !$0.hasPrefix(".") } == ["1/preview/source.mp4"])
    }

    static func readersSeeTheOldFileOrTheNewNeverAMix(_ store: any AssetStore) async throws {
        let source = try path(.source)
        let old = bytes(1 << 20, seed: 0x11), new = bytes(2 << 20, seed: 0x22)
        let known = [digest(old), digest(new)]
        try await store.commit(staged: stage(store, old), to: source)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0..<12 {
                    try await store.commit(staged: stage(store, round.isMultiple(of: 2) ? new : old), to: source)
                }
            }
            group.addTask {
                for _ in 0..<40 {
                    let seen = try await read(store, source)
                    #expect(known.contains(digest(seen)), "a reader saw \(seen.count) bytes of neither version")
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.sha256(relativePath: source) == digest(old), "the last commit wins")
    }

    static func commitReplaces(_ store: any AssetStore) async throws {
        let cover = try path(.cover)
        try await store.commit(staged: stage(store, Data("jpeg".utf8)), to: cover)
        try await store.commit(staged: stage(store, Data("jpeg, longer".utf8)), to: cover)
        #expect(try await store.size(relativePath: cover) == 12)
        #expect(try await read(store, cover) == Data("jpeg, longer".utf8))
        #expect(try await store.files(of: task).filter { !$0.hasPrefix(".") } == ["1/preview/cover.jpg"], "one file, not two")
    }

    static func removingAMissingFileIsFine(_ store: any AssetStore) async throws {
        let cover = try path(.cover)
        try await store.remove(relativePath: cover)
        try await store.commit(staged: stage(store, Data("jpeg".utf8)), to: cover)
        try await store.remove(relativePath: cover)
        try await store.remove(relativePath: cover)
        #expect(try await store.size(relativePath: cover) == nil)
        #expect(try await store.sha256(relativePath: cover) == nil)
        #expect(try await store.files(of: task).filter { !$0.hasPrefix(".") }.isEmpty)
    }

    static func aCommitWithoutAStagedFileChangesNothing(_ store: any AssetStore) async throws {
        let cover = try path(.cover)
        try await store.commit(staged: stage(store, Data("kept".utf8)), to: cover)
        let gone = try stage(store, Data("x".utf8))
        try FileManager.default.removeItem(at: gone)
        await #expect(throws: CatalogError.io) { try await store.commit(staged: gone, to: cover) }
        #expect(try await read(store, cover) == Data("kept".utf8))
    }

    static func unsafePathsAreRefused(_ store: any AssetStore) async throws {
        let unsafe = ["", "/etc/passwd", "../escape", "tasks/../../escape", "tasks//x", "tasks/./x", ".hidden",
                      "tasks/ab/t/.staging/x", "tasks\\x", "tasks/x\u{1}y", "tasks/x\ny"]
        for path in unsafe {
            let staged = try stage(store, Data("x".utf8))
            await #expect(throws: CatalogError.unsafePath, "commit to \(path.debugDescription)") {
                try await store.commit(staged: staged, to: path)
            }
            await #expect(throws: CatalogError.unsafePath) { _ = try await store.size(relativePath: path) }
            await #expect(throws: CatalogError.unsafePath) { _ = try await store.sha256(relativePath: path) }
            await #expect(throws: CatalogError.unsafePath) { try await store.remove(relativePath: path) }
            await #expect(throws: CatalogError.unsafePath) { _ = try await read(store, path) }
        }
        for name in ["", "../x", "a/b", ".hidden", "..", "x\u{0}y"] {
            #expect(throws: CatalogError.unsafePath) { _ = try store.stagingFile(for: task, name: name) }
            #expect(throws: CatalogError.unsafePath) { _ = try store.stagingDirectory(for: task, name: name) }
        }
    }

    static func sizesAndHashes(_ store: any AssetStore) async throws {
        let files: [(AssetFile, Data)] = [
            (.poster, Data()), (.thumbnail(1), Data("a".utf8)), (.storyboardVTT, bytes(65_537, seed: 3)),
            (.rendition(preset: "480p"), bytes(5 << 20, seed: 9)),
        ]
        for (file, data) in files {
            let path = try path(file)
            try await store.commit(staged: stage(store, data), to: path)
            #expect(try await store.size(relativePath: path) == Int64(data.count), "\(file.name)")
            #expect(try await store.sha256(relativePath: path) == digest(data), "\(file.name)")
        }
        #expect(try await store.sha256(relativePath: path(.poster)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try await store.size(relativePath: path(.thumbnail(2))) == nil)
    }

    static func listingATasksFiles(_ store: any AssetStore) async throws {
        let other = taskID("contract-other")
        #expect(try await store.files(of: task).isEmpty, "nothing for a task the store never saw")
        for (file, scriptId) in [(AssetFile.source, 1), (.rendition(preset: "720p"), 1), (.thumbnail(3), 2)] {
            try await store.commit(staged: stage(store, Data("\(file.name)".utf8)), to: path(file, scriptId: scriptId))
        }
        try await store.commit(staged: stage(store, Data("o".utf8), task: other), to: path(.source, task: other))
        #expect(try await store.files(of: task).filter { !$0.hasPrefix(".") }
            == ["1/preview/renditions/720p.mp4", "1/preview/source.mp4", "2/preview/thumbs/003.jpg"])
        #expect(try await store.files(of: other).filter { !$0.hasPrefix(".") } == ["1/preview/source.mp4"])
    }

    static func stagingAreasStartEmptyAndAreDiscarded(_ store: any AssetStore) async throws {
        let first = try store.stagingDirectory(for: task, name: "1-preview")
        try Data("left".utf8).write(to: first.appendingPathComponent("leftover.mp4"))
        let again = try store.stagingDirectory(for: task, name: "1-preview")
        #expect(try FileManager.default.contentsOfDirectory(atPath: again.path).isEmpty, "created empty")
        try Data("x".utf8).write(to: again.appendingPathComponent("r.mp4"))
        _ = try stage(store, Data("y".utf8))
        #expect(try store.discardStaging(for: task, name: "1-preview") == 1)
        #expect(!FileManager.default.fileExists(atPath: again.path))
        #expect(try store.discardStaging(for: task, name: "1-preview") == 0, "a missing entry is fine")
        #expect(try store.discardStaging(for: task, name: nil) == 1, "the staged file")
        #expect(try store.discardStaging(for: task, name: nil) == 0)
        // A committed file is not staging: discarding leaves it alone.
        let cover = try path(.cover)
        try await store.commit(staged: stage(store, Data("c".utf8)), to: cover)
        try store.discardStaging(for: task, name: nil)
        #expect(try await store.size(relativePath: cover) == 1)
    }

    static func manifestsAreWrittenWholeAndConditionally(_ store: any AssetStore) async throws {
        #expect(try await store.readManifest(of: task) == nil)
        let first = Data(#"{"taskId": "contract-task", "n": 1}"#.utf8)
        let v1 = try await store.writeManifest(first, of: task, requiring: .absent)
        #expect(try await store.readManifest(of: task) == StoredManifest(data: first, version: v1))
        await #expect(throws: ManifestConflict.self, "absent, but there is one") {
            try await store.writeManifest(Data("x".utf8), of: task, requiring: .absent)
        }
        let second = Data(#"{"taskId": "contract-task", "n": 2}"#.utf8)
        let v2 = try await store.writeManifest(second, of: task, requiring: .version(v1))
        #expect(v2 != v1)
        // A writer still holding v1 (it lost the task) is refused, and changes nothing.
        await #expect(throws: ManifestConflict.self) {
            try await store.writeManifest(Data("stale".utf8), of: task, requiring: .version(v1))
        }
        #expect(try await store.readManifest(of: task)?.data == second)
        let third = Data(#"{"taskId": "contract-task", "n": 3}"#.utf8)
        let v3 = try await store.writeManifest(third, of: task, requiring: .none)
        #expect(try await store.readManifest(of: task) == StoredManifest(data: third, version: v3))
        #expect(try await store.files(of: task).filter { !$0.hasPrefix(".") } == ["manifest.json"])
    }

    static func taskIDsAreTheTasksWithFiles(_ store: any AssetStore) async throws {
        #expect(try await store.taskIDs().isEmpty)
        let other = taskID("contract-other")
        try await store.commit(staged: stage(store, Data("o".utf8), task: other), to: path(.source, task: other))
        _ = try await store.writeManifest(Data(#"{"taskId": "contract-task"}"#.utf8), of: task, requiring: .absent)
        #expect(try await store.taskIDs() == [other, task].sorted())
    }
}
