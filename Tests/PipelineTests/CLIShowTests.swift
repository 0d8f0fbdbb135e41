import Catalog
import Foundation
import Testing
import TopView

/// `reel show` on a manifest written through the catalog: an audio stream that could not be decoded is shown, in
/// words and in `--json` (`verification.audioFailure`, absent when there was none).
@Suite struct CLIShowTests {
    @Test func anAudioFailureIsShownAndAbsentWhenThereIsNone() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reel-show-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let id = try TaskID(validating: "show-audio-1")
        var manifest = TaskManifest(taskId: id, kind: "m2v", status: "success")
        manifest.upsert(AssetRecord(scriptId: 0, role: .preview, state: .archived, verification: VerificationRecord(
            verdict: "match", measuredDurationUs: 5_000_000, deltaUs: 0, toleranceUs: 100_000, frames: 125,
            audioFailure: "no decoder for audio codec 'opus'\u{1b}[31m")))
        manifest.upsert(AssetRecord(scriptId: 0, role: .export, state: .archived,
                                    verification: VerificationRecord(verdict: "match", toleranceUs: 100_000, frames: 125)))
        try await Catalog(root: root).save(manifest)

        let human = try await ReelProcess.run(["show", id.rawValue, "--storage", root.path])
        #expect(human.status == 0, "\(human)")
        let lines = human.stdout.split(separator: "\n").map(String.init)
        let audio = lines.filter { $0.hasPrefix("    audio ") }
        #expect(audio.count == 1, "\(human.stdout)")
        #expect(audio.first?.contains("not decoded: no decoder for audio codec 'opus'") == true, "\(human.stdout)")
        #expect(!human.stdout.contains("\u{1b}"), "the failure text is escaped")

        let json = try await ReelProcess.run(["show", id.rawValue, "--json", "--storage", root.path])
        #expect(json.status == 0, "\(json)")
        let assets = try #require(try JSONValue.parse(Array(json.stdout.utf8)).objectValue?["assets"]?.arrayValue)
        #expect(assets.count == 2)
        let preview = try #require(assets[0].objectValue?["verification"]?.objectValue)
        #expect(preview["audioFailure"]?.stringValue == "no decoder for audio codec 'opus'\u{1b}[31m")
        let export = try #require(assets[1].objectValue?["verification"]?.objectValue)
        #expect(export["audioFailure"] == nil, "absent, not null, when there was no failure")
        #expect(Set(export.keys) == ["verdict", "measuredDurationUs", "deltaUs", "toleranceUs", "frames", "decodeErrors"])
    }
}
