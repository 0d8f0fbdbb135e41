import Catalog
import Foundation
import Testing
import TopView

/// `reel archive` then `reel show --json` against the sandbox: the contract of issue 3, checked against
/// ffprobe and sha256sum.
@Suite struct ArchiveContractTests {
    @Test func aReadyTaskIsArchivedAndShowTellsTheTruth() async throws {
        try await withBench { bench in
            let task = taskId("ready")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 0, "\(run)")
            // Not a terminal: one plain line per event, no bars or escape codes; stdout names the task's directory.
            #expect(!run.stderr.contains("\r") && !run.stderr.contains("\u{1B}"), "\(run)")
            #expect(run.stderrLines.first == "\(task): querying")
            #expect(run.stderrLines.contains("\(task) script 0 preview: archived (match)"))
            #expect(run.stderrLines.contains("\(task) script 0 export: archived (match)"))
            #expect(run.stderrLines.suffix(2) == ["\(task): done", "1 task: 1 archived"], "the batch's summary last")
            #expect(run.stdout.hasPrefix("\(task): /") && run.stdout.contains("/\(task)\n"), "\(run)")

            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)
            #expect(manifest.taskId == task)
            #expect(manifest.kind == "m2v")
            #expect(manifest.status == "success")
            #expect(manifest.errorMsg == nil)
            #expect(manifest.assets.map { "\($0.scriptId)/\($0.role.rawValue)" } == ["0/preview", "0/export"])

            let served = bench.sandbox.media("small.mp4")
            let servedHash = try Oracle.sha256sum(served)
            for asset in manifest.assets {
                let role = asset.role.rawValue
                #expect(asset.state == .archived, "\(role)")
                #expect(asset.error == nil)
                #expect(asset.reportedDurationUs == 4_000_000)

                let source = try #require(asset.source, "\(role) has no source")
                let sourceFile = bench.file(source.path)
                #expect(source.path == "tasks/\(CatalogLayout.shard(of: try TaskID(validating: task)))/\(task)/0/\(role)/source.mp4")
                #expect(try Oracle.sha256sum(sourceFile) == source.sha256)
                #expect(source.sha256 == servedHash)
                #expect(try Oracle.size(sourceFile) == source.bytes)
                #expect(source.url == "\(bench.sandbox.url)/media/\(task)/\(role)-0.mp4")

                let cover = try #require(asset.cover, "\(role) has no cover")
                #expect(try Oracle.sha256sum(bench.file(cover.path)) == cover.sha256)
                #expect(cover.sha256 == (try Oracle.sha256sum(bench.sandbox.media("small.jpg"))))
                #expect(cover.url == "\(bench.sandbox.url)/media/\(task)/\(role)-0.jpg")

                let probe = try Oracle.probe(sourceFile)
                let verification = try #require(asset.verification)
                #expect(verification.verdict == "match")
                let measured = try #require(verification.measuredDurationUs)
                let probed = try #require(probe.videoDurationUs)
                #expect(abs(measured - probed) <= 50_000, "measured \(measured) µs, ffprobe \(probed) µs")
                #expect(verification.deltaUs == measured - 4_000_000)
                #expect(verification.toleranceUs > 0)
                #expect((110...130).contains(verification.frames), "4 s at 30 fps: \(verification.frames) frames")
                #expect(verification.decodeErrors == 0)

                let poster = try #require(asset.poster)
                let posterProbe = try Oracle.probe(bench.file(poster.path))
                #expect(posterProbe.width == poster.width && posterProbe.height == poster.height)
                #expect((0...probed).contains(poster.timeUs))
                #expect(!asset.thumbnails.isEmpty)
                for thumbnail in asset.thumbnails {
                    let thumbProbe = try Oracle.probe(bench.file(thumbnail.path))
                    #expect(thumbProbe.width == thumbnail.width && thumbProbe.height == thumbnail.height, "\(thumbnail.path)")
                    #expect((0...probed).contains(thumbnail.timeUs))
                }
                // Evenly spaced: every gap within 10 % of the first one.
                let times = asset.thumbnails.map(\.timeUs)
                let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
                #expect(gaps.allSatisfy { $0 > 0 && abs($0 - gaps[0]) <= gaps[0] / 10 }, "thumbnail times \(times)")
                let storyboard = try #require(asset.storyboard)
                let vtt = try String(contentsOf: bench.file(storyboard.vtt), encoding: .utf8)
                #expect(vtt.hasPrefix("WEBVTT"))
                #expect(try Oracle.probe(bench.file(storyboard.sprite)).width > 0)

                #expect(asset.renditions.map(\.preset) == ["240p"])
                for rendition in asset.renditions {
                    let file = bench.file(rendition.path)
                    let renditionProbe = try Oracle.probe(file)
                    #expect(renditionProbe.width == rendition.width && renditionProbe.height == rendition.height,
                            "ffprobe \(renditionProbe.width)x\(renditionProbe.height), manifest \(rendition.width)x\(rendition.height)")
                    #expect(min(rendition.width, rendition.height) == 240)
                    #expect(try Oracle.sha256sum(file) == rendition.sha256)
                    #expect(try Oracle.size(file) == rendition.bytes)
                    let renditionDuration = try #require(renditionProbe.videoDurationUs)
                    #expect(abs(renditionDuration - rendition.durationUs) <= 100_000)
                    #expect(abs(rendition.durationUs - measured) <= 100_000)
                }
            }

            let human = try await bench.reel("show", task)
            #expect(human.status == 0)
            let lines = human.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("\(task)  kind m2v  upstream success") == true, "\(human)")
            #expect(lines.contains { $0.contains("script 0 preview: archived") && $0.contains("match") }, "\(human)")
            #expect(lines.contains { $0.contains(manifest.assets[0].source?.path ?? "?") }, "\(human)")
        }
    }

    @Test func aTaskIdOf128BytesIsFine() async throws {
        try await withBench { bench in
            let task = "ready-" + String(repeating: "7", count: 128 - 6)
            let run = try await bench.reel("archive", task)
            #expect(run.status == 0, "\(run)")
            #expect(try await bench.show(task).manifest.assets.map(\.state) == [.archived, .archived])
        }
    }

    /// The checker itself can fail: a document without a contract key, or with a signed URL, is caught.
    @Test func theContractCheckCatchesAMissingKeyAndASignedURL() throws {
        let storage = FileManager.default.temporaryDirectory
        let asset = #"{"scriptId":0,"role":"export","state":"absent","error":null,"source":null,"cover":null,"#
            + #""reportedDurationUs":null,"verification":null,"poster":null,"thumbnails":[],"storyboard":null,"renditions":[]}"#
        let good = try JSONValue.parse(Array(#"{"taskId":"t","kind":"m2v","status":"success","errorMsg":null,"assets":[\#(asset)]}"#.utf8))
        ArchiveContract.check(good, storage: storage)
        let missing = try JSONValue.parse(Array(#"{"taskId":"t","kind":"m2v","status":"success","assets":[\#(asset.replacingOccurrences(of: #""cover":null,"#, with: ""))]}"#.utf8))
        withKnownIssue("errorMsg and cover are missing") { ArchiveContract.check(missing, storage: storage) }
        let signed = asset.replacingOccurrences(of: #""cover":null"#, with: #""cover":{"path":"nowhere.jpg","bytes":1,"sha256":"00","url":"https://x.cloudfront.net/a.jpg?Signature=s"}"#)
        let leaky = try JSONValue.parse(Array(#"{"taskId":"t","kind":"m2v","status":null,"errorMsg":null,"assets":[\#(signed)]}"#.utf8))
        withKnownIssue("a signed URL, a missing file and a short hash") { ArchiveContract.check(leaky, storage: storage) }
    }

    /// The one test with the 36 s demo clip: the README's demo task.
    @Test func theDemoTaskArchivesThePreviewAndRecordsTheExportAbsent() async throws {
        try await withBench { bench in
            let task = "demo-\(UUID().uuidString.prefix(8).lowercased())"
            let run = try await bench.reel("archive", task, "--poll-interval", "1")
            #expect(run.status == 0, "\(run)")
            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)

            let preview = try #require(manifest.asset(scriptId: 0, role: .preview))
            #expect(preview.state == .archived)
            #expect(preview.reportedDurationUs == 36_096_000)
            let source = try #require(preview.source)
            #expect(source.sha256 == (try Oracle.sha256sum(bench.sandbox.media("demo.mp4"))))
            #expect(try Oracle.sha256sum(bench.file(source.path)) == source.sha256)
            let verification = try #require(preview.verification)
            #expect(verification.verdict == "match")
            let probe = try Oracle.probe(bench.file(source.path))
            let measured = try #require(verification.measuredDurationUs)
            #expect(abs(measured - (probe.videoDurationUs ?? 0)) <= 50_000, "measured \(measured), ffprobe \(String(describing: probe.videoDurationUs))")
            #expect(abs(measured - 36_096_000) <= verification.toleranceUs)
            #expect(preview.poster != nil)
            let rendition = try #require(preview.rendition("240p"))
            let renditionProbe = try Oracle.probe(bench.file(rendition.path))
            #expect(renditionProbe.width == rendition.width && renditionProbe.height == rendition.height)
            #expect(rendition.width == 240)

            let export = try #require(manifest.asset(scriptId: 0, role: .export))
            #expect(export.state == .absent)
            #expect(export.source == nil && export.error == nil && export.verification == nil)
            let exportJSON = try #require(json["assets"]?.arrayValue?.first { $0["role"]?.stringValue == "export" })
            #expect(exportJSON["source"]?.isNull == true)
            #expect(exportJSON["renditions"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func aRerunFetchesNothingAndChangesNoFile() async throws {
        try await withBench { bench in
            let task = taskId("ready")
            let first = try await bench.reel("archive", task)
            #expect(first.status == 0, "\(first)")
            let requests = try await bench.mediaRequests(task)
            #expect(requests.count == 4, "video and cover of preview and export: \(requests.map(\.path))")
            let before = bench.snapshot()

            let second = try await bench.reel("archive", task, "--json")
            #expect(second.status == 0, "\(second)")
            #expect(try await bench.mediaRequests(task).count == requests.count, "the rerun downloaded again")
            let after = bench.snapshot()
            let media = before.keys.filter { $0.contains("/0/") }
            #expect(media.count > 10)
            for path in media {
                #expect(after[path] == before[path], "\(path) changed on the rerun")
            }
            #expect(Set(after.keys.filter { $0.contains("/0/") }) == Set(media), "the rerun added or removed files")
            // `--json` prints the manifest, the same document as `reel show --json`.
            let printed = try CatalogJSON.decoder().decode(TaskManifest.self, from: Data(second.stdout.utf8))
            #expect(printed.taskId == task)
            #expect(printed.assets.map(\.state) == [.archived, .archived])
            #expect(printed.assets == (try await bench.show(task)).manifest.assets)
        }
    }

    @Test func anExportThatAppearsLaterIsAddedByALaterRun() async throws {
        try await withBench { bench in
            let task = taskId("late")
            let first = try await bench.reel("archive", task, "--no-wait")
            #expect(first.status == 0, "an export never requested is absent and does not count: \(first)")
            let start = try await bench.show(task).manifest
            #expect(start.asset(scriptId: 0, role: .preview)?.state == .archived)
            #expect(start.asset(scriptId: 0, role: .export)?.state == .absent)
            let previewSource = try #require(start.asset(scriptId: 0, role: .preview)?.source)

            var runs = 1
            var manifest = start
            while manifest.asset(scriptId: 0, role: .export)?.state != .archived && runs < 5 {
                let again = try await bench.reel("archive", task, "--no-wait")
                #expect(again.status == 0, "\(again)")
                manifest = try await bench.show(task).manifest
                runs += 1
            }
            let export = try #require(manifest.asset(scriptId: 0, role: .export))
            #expect(export.state == .archived, "the export never made it in \(runs) runs")
            #expect(export.verification?.verdict == "match")
            #expect(manifest.asset(scriptId: 0, role: .preview)?.source == previewSource)
            let previewGets = try await bench.mediaRequests(task).filter { $0.path.hasSuffix("/preview-0.mp4") }
            #expect(previewGets.count == 1, "the preview was fetched again: \(previewGets.map(\.path))")
            let verify = try await bench.reel("verify", "--all")
            #expect(verify.status == 0, "\(verify)")
        }
    }
}
