import Foundation
import Testing
@testable import Catalog

struct FixityTests {
    @Test func aHealthyCatalogVerifiesClean() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            try await catalog.save(archivedManifest(catalog, taskID("healthy")))
            try await catalog.withTaskLock(taskID("healthy")) {}
            #expect(try await catalog.verifyAll() == [])
        }
    }

    @Test func verifyAllFindsCorruptionMissingFilesAndOrphans() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("damaged")
            let manifest = try await archivedManifest(catalog, id)
            try await catalog.save(manifest)
            let asset = try #require(manifest.asset(scriptId: 1, role: .preview))
            let source = try #require(asset.source)
            let cover = try #require(asset.cover)

            // Flip one byte of the source, same size.
            let sourceURL = try catalog.layout.absoluteURL(relative: source.path)
            var bytes = try Data(contentsOf: sourceURL)
            bytes[1234] ^= 0x01
            try bytes.write(to: sourceURL)
            // Remove the cover; truncate the rendition.
            try FileManager.default.removeItem(at: catalog.layout.absoluteURL(relative: cover.path))
            try Data("short".utf8).write(to: catalog.layout.absoluteURL(relative: asset.renditions[0].path))
            // An orphan in an asset directory, a leftover staged file.
            let orphan = catalog.layout.assetDirectory(id, scriptId: 2, role: .preview).appendingPathComponent("stray.mp4")
            try FileManager.default.createDirectory(at: orphan.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("stray".utf8).write(to: orphan)
            try Data("part".utf8).write(to: catalog.store.stagingFile(for: id, name: "x.part"))
            // Another task whose manifest does not parse, and a directory that is not a task id.
            let broken = taskID("broken")
            try FileManager.default.createDirectory(at: catalog.layout.taskDirectory(broken), withIntermediateDirectories: true)
            try Data("not json".utf8).write(to: catalog.layout.manifestURL(broken))
            try FileManager.default.createDirectory(at: catalog.layout.tasksDirectory.appendingPathComponent("00/wrong-shard"),
                                                    withIntermediateDirectories: true)

            let problems = try await catalog.verifyAll()
            let found = Set(problems.map { "\($0.kind.rawValue) \($0.path)" })
            let taskPath = catalog.layout.relativePath(of: catalog.layout.taskDirectory(id))
            let expected: Set = [
                "hashMismatch \(source.path)",
                "missingFile \(cover.path)",
                "sizeMismatch \(asset.renditions[0].path)", // one problem per file: not also its hash
                "orphanFile \(catalog.layout.relativePath(of: orphan))",
                "leftoverStaging \(taskPath)/.staging/x.part",
                "unparsableManifest \(catalog.layout.relativePath(of: catalog.layout.manifestURL(broken)))",
                "misplacedTask tasks/00/wrong-shard",
            ]
            #expect(found == expected)
            #expect(problems.count == expected.count)
            #expect(problems.allSatisfy { $0.kind == .misplacedTask || $0.taskId != nil })
        }
    }

    @Test func aManifestPathThatEscapesIsReportedNotFollowed() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("hostile")
            var manifest = TaskManifest(taskId: id, kind: "m2v")
            manifest.upsert(AssetRecord(scriptId: 1, role: .preview, state: .archived,
                                        source: FileRecord(path: "../../../../etc/passwd", bytes: 1, sha256: "00")))
            try await catalog.save(manifest)
            let problems = try await catalog.verify(id)
            #expect(problems.map(\.kind) == [.unsafePath])
        }
    }
}
