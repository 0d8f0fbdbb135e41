import Catalog
import Foundation
import Testing
import TopView

/// The catalog commands on archived tasks: `reel ls` and its filters, `reel reindex`, `reel render`,
/// `reel verify --all`.
@Suite struct CLICatalogTests {
    @Test func lsListsAndFiltersAndReindexGivesTheSameListing() async throws {
        try await withBench { bench in
            let ready = taskId("ready"), partial = taskId("partial"), wrongdur = taskId("wrongdur")
            let run = try await bench.reel("archive", ready, partial, wrongdur)
            #expect(run.status == 1, "\(run)")

            #expect(Set(try await bench.ls()) == [ready, partial, wrongdur])
            #expect(try await bench.ls("--verdict", "mismatch") == [wrongdur])
            #expect(Set(try await bench.ls("--verdict", "match")) == [ready, partial])
            #expect(try await bench.ls("--state", "failed") == [partial])
            #expect(try await bench.ls("--state", "absent") == [partial])
            #expect(try await bench.ls("--script", "1") == [partial])
            #expect(Set(try await bench.ls("--script", "0")) == [ready, partial, wrongdur])
            #expect(try await bench.ls("--script", "7") == [])
            #expect(try await bench.ls("--script", "1", "--verdict", "mismatch") == [])
            let bad = try await bench.reel("ls", "--verdict", "maybe")
            #expect(bad.status == 2, "\(bad)")
            // A root that does not exist is an empty listing, and is not created.
            let nowhere = bench.storage.appendingPathComponent("typo")
            let missing = try await bench.reel("ls", "--json", "--storage", nowhere.path)
            #expect(missing.status == 0, "\(missing)")
            #expect(try JSONValue.parse(Array(missing.stdout.utf8)).arrayValue?.isEmpty == true, "\(missing)")
            #expect(!FileManager.default.fileExists(atPath: nowhere.path))

            let listing = try await bench.reel("ls", "--json")
            let human = try await bench.reel("ls")
            #expect(human.status == 0)
            let humanLines = human.stdout.split(separator: "\n")
            #expect(humanLines.count == 4, "a header and three tasks: \(human)")
            #expect(humanLines.first?.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    == ["TASK", "KIND", "ASSETS", "VERDICTS", "ARCHIVED", "AT"], "\(human)")
            let columns = humanLines.first.map { header in ["KIND", "ASSETS", "VERDICTS"].map { header.range(of: $0)!.lowerBound.utf16Offset(in: header) } }
            for line in humanLines.dropFirst() {
                #expect(columns?.allSatisfy { line.count > $0 && line[line.index(line.startIndex, offsetBy: $0 - 1)] == " " } == true,
                        "aligned under the header: \(human)")
            }
            #expect(humanLines.contains { $0.hasPrefix(wrongdur) && $0.contains("2/2 archived") && $0.contains("mismatch") }, "\(human)")
            // The export of `partial` was never requested upstream: not a gap.
            #expect(humanLines.contains { $0.hasPrefix(partial) && $0.contains("1/2 archived, 1 failed, 1 not made upstream yet") }, "\(human)")
            let paged = try await bench.reel("ls", "--offset", "1", "--limit", "1", "--json")
            #expect(try JSONValue.parse(Array(paged.stdout.utf8)).arrayValue?.count == 1, "\(paged)")

            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(at: bench.storage.appendingPathComponent("index.sqlite" + suffix))
            }
            let reindex = try await bench.reel("reindex")
            #expect(reindex.status == 0, "\(reindex)")
            #expect(reindex.stdout.contains("3"), "\(reindex)")
            let again = try await bench.reel("ls", "--json")
            #expect(try JSONValue.parse(Array(again.stdout.utf8)) == (try JSONValue.parse(Array(listing.stdout.utf8))),
                    "before:\n\(listing.stdout)\nafter:\n\(again.stdout)")
            #expect(try await bench.ls("--verdict", "mismatch") == [wrongdur])
        }
    }

    @Test func renderAddsARenditionToOneAssetAndSkipsAnUpscale() async throws {
        try await withBench { bench in
            let task = taskId("ready")
            #expect(try await bench.reel("archive", task).status == 0)
            let render = try await bench.reel("render", task, "--script", "0", "--role", "preview", "--preset", "1x1-240p-crop")
            #expect(render.status == 0, "\(render)")
            #expect(render.stdout == "\(task) script 0 preview 1x1-240p-crop: created\n", "one line per preset: \(render)")
            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)
            let preview = try #require(manifest.asset(scriptId: 0, role: .preview))
            let square = try #require(preview.rendition("1x1-240p-crop"))
            let probe = try Oracle.probe(bench.file(square.path))
            #expect(probe.width == 240 && probe.height == 240)
            #expect(square.width == 240 && square.height == 240)
            #expect(try Oracle.sha256sum(bench.file(square.path)) == square.sha256)
            #expect(abs(square.durationUs - 4_000_000) <= 100_000)
            #expect(manifest.asset(scriptId: 0, role: .export)?.rendition("1x1-240p-crop") == nil, "only the preview was asked for")

            // 720p would upscale the 360x640 source: recorded as skipped, no file.
            let upscale = try await bench.reel("render", task, "--script", "0", "--role", "export", "--preset", "720p")
            #expect(upscale.status == 0, "\(upscale)")
            #expect(upscale.stdout.hasPrefix("\(task) script 0 export 720p skipped: would upscale 360×640"), "\(upscale)")
            // Again: the square one exists, the 720p one is skipped again; --force redoes the existing one; --json says so.
            let again = try await bench.reel("render", task, "--script", "0", "--role", "preview", "--preset", "1x1-240p-crop,720p", "--json")
            #expect(again.status == 0, "\(again)")
            let renders = try JSONValue.parse(Array(again.stdout.utf8))["renders"]?.arrayValue?.map { "\($0["preset"]?.stringValue ?? ""):\($0["result"]?.stringValue ?? "")" }
            #expect(renders == ["1x1-240p-crop:already present", "720p:skipped"], "\(again)")
            let forced = try await bench.reel("render", task, "--script", "0", "--role", "preview", "--preset", "1x1-240p-crop", "--force")
            #expect(forced.stdout == "\(task) script 0 preview 1x1-240p-crop: created\n", "\(forced)")
            let export = try #require(try await bench.show(task).manifest.asset(scriptId: 0, role: .export))
            #expect(export.rendition("720p") == nil)
            #expect(export.skippedPresets.map(\.preset) == ["720p"], "\(export.skippedPresets)")
            let exportDirectory = bench.file(try #require(export.source).path).deletingLastPathComponent()
            #expect(!FileManager.default.fileExists(atPath: exportDirectory.appendingPathComponent("renditions/720p.mp4").path))
            let skippedJSON = try await bench.reel("show", task, "--json")
            #expect(skippedJSON.stdout.contains("\"skippedPresets\""))

            // Human output of show keeps the whole preset name.
            let human = try await bench.reel("show", task)
            let words = human.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(words.contains { $0.first == "1x1-240p-crop" && $0.contains("240x240") }, "\(human)")
            #expect(human.stdout.contains("skipped 720p"), "\(human)")

            let nothing = try await bench.reel("render", task, "--script", "3", "--preset", "240p")
            #expect(nothing.status == 1, "no asset of script 3: \(nothing)")
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test func renderAllReachesEveryArchivedTask() async throws {
        try await withBench { bench in
            let ready = taskId("ready"), partial = taskId("partial")
            #expect(try await bench.reel("archive", ready).status == 0)
            #expect(try await bench.reel("archive", partial).status == 1)
            // Tasks the catalog has no manifest for (a query that failed, a render of an unknown task) are no obstacle.
            #expect(try await bench.reel("archive", taskId("notfound")).status == 1)
            let unknown = taskId("ready")
            #expect(try await bench.reel("render", unknown, "--preset", "240p").status == 1)
            let unknownDirectory = bench.storage.appendingPathComponent("tasks/\(CatalogLayout.shard(of: try TaskID(validating: unknown)))/\(unknown)")
            #expect(!FileManager.default.fileExists(atPath: unknownDirectory.path), "rendering an unknown task left a directory")

            let run = try await bench.reel("render", "--all", "--preset", "1x1-240p-crop", "--json")
            #expect(run.status == 0, "\(run)")
            let printed = try CatalogJSON.decoder().decode([TaskManifest].self, from: Data(run.stdout.utf8))
            #expect(Set(printed.map(\.taskId)) == [ready, partial])
            for task in [ready, partial] {
                let manifest = try await bench.show(task).manifest
                let archived = manifest.assets.filter { $0.state == .archived }
                #expect(!archived.isEmpty)
                for asset in archived {
                    let square = try #require(asset.rendition("1x1-240p-crop"), "\(task) \(asset.scriptId) \(asset.role)")
                    let probe = try Oracle.probe(bench.file(square.path))
                    #expect(probe.width == 240 && probe.height == 240)
                    #expect(asset.rendition("240p") != nil, "the archived ladder is kept")
                }
            }
            // Again: nothing to do, nothing redone.
            let before = bench.snapshot()
            let again = try await bench.reel("render", "--all", "--preset", "1x1-240p-crop")
            #expect(again.status == 0, "\(again)")
            for (path, stamp) in before where path.hasSuffix(".mp4") {
                #expect(bench.snapshot()[path] == stamp, "\(path) was redone")
            }
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test func verifyFindsAChangedAMissingAndAnUntrackedFile() async throws {
        try await withBench { bench in
            let task = taskId("ready"), other = taskId("ready")
            #expect(try await bench.reel("archive", task, other).status == 0)
            let clean = try await bench.reel("verify", "--all")
            #expect(clean.status == 0, "\(clean)")
            #expect(clean.stdout.contains("catalog is clean"))
            #expect(try await bench.reel("verify", task, other).status == 0)

            let manifest = try await bench.show(task).manifest
            let preview = try #require(manifest.asset(scriptId: 0, role: .preview))
            let cover = try #require(preview.cover).path
            let rendition = try #require(preview.renditions.first).path
            try append("x", to: bench.file(cover))
            try FileManager.default.removeItem(at: bench.file(rendition))
            let untracked = bench.file(rendition).deletingLastPathComponent().appendingPathComponent("stray.mp4")
            try Data("stray".utf8).write(to: untracked)
            let strayPath = rendition.replacingOccurrences(of: "240p.mp4", with: "stray.mp4")

            let dirty = try await bench.reel("verify", "--all")
            #expect(dirty.status == 1, "\(dirty)")
            for path in [cover, rendition, strayPath] {
                #expect(dirty.stdout.contains(path), "\(path) not reported: \(dirty)")
            }
            let json = try await bench.reel("verify", "--all", "--json")
            #expect(json.status == 1)
            let findings = try #require(try JSONValue.parse(Array(json.stdout.utf8)).arrayValue)
            #expect(Set(findings.compactMap { $0["path"]?.stringValue }) == [cover, rendition, strayPath], "\(json)")
            #expect(findings.allSatisfy { $0.keys == ["kind", "taskId", "path", "detail"] })
            #expect(findings.allSatisfy { $0["taskId"]?.stringValue == task })

            let one = try await bench.reel("verify", task)
            #expect(one.status == 1, "\(one)")
            #expect(try await bench.reel("verify", other).status == 0, "the other task is untouched")
            let unknown = try await bench.reel("verify", taskId("ready"))
            #expect(unknown.status == 1, "a task not in the catalog needs attention: \(unknown)")
            #expect(try await bench.reel("verify", "../x").status == 2)
        }
    }

    @Test func verifyFindsAChangedThumbnail() async throws {
        try await withBench { bench in
            let task = taskId("ready")
            #expect(try await bench.reel("archive", task).status == 0)
            let preview = try #require(try await bench.show(task).manifest.asset(scriptId: 0, role: .preview))
            let thumbnail = try #require(preview.thumbnails.first).path
            try append("x", to: bench.file(thumbnail))
            let dirty = try await bench.reel("verify", "--all")
            // Stills and the storyboard carry their size and SHA-256, so a changed one is found, not only a missing one.
            #expect(dirty.status == 1, "\(dirty)")
            #expect(dirty.stdout.contains(thumbnail))
        }
    }

    private func append(_ text: String, to file: URL) throws {
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }
}
