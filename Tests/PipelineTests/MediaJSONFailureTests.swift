import Foundation
import Testing
import TopView

/// `reel media … --json` on a file that fails prints, on stdout, `{"path", "error": {"code", "message"}}` (an array
/// with one entry per file for several probes), with the documented exit code: a script reads why as it reads a
/// success.
@Suite struct MediaJSONFailureTests {
    @Test func everyMediaCommandSaysWhyInJSON() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-media-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("notes.mp4")
        try Data("not a video, only text\n".utf8).write(to: text)
        let out = dir.appendingPathComponent("out").path
        for arguments in [["media", "verify", text.path, "--json"], ["media", "thumbs", text.path, "--out", out, "--json"],
                          ["media", "render", text.path, "--out", out, "--preset", "240p", "--json"],
                          ["media", "probe", text.path, "--json"]] {
            let run = try await ReelProcess.run(arguments)
            #expect(run.status == 1, "\(run)")
            let document = try JSONValue.parse(Array(run.stdout.utf8))
            #expect(document["path"]?.stringValue == text.path, "\(run)")
            #expect(document["error"]?["code"]?.stringValue == "notMedia", "\(run)")
            #expect(document["error"]?["message"]?.stringValue?.isEmpty == false, "\(run)")
        }
        // Several probes: one entry per file, in order.
        try await SandboxMediaGate.shared.ready()
        let good = SandboxProcess.sharedMediaDirectory.appendingPathComponent("small.mp4")
        let both = try await ReelProcess.run(["media", "probe", good.path, text.path, "--json"])
        #expect(both.status == 1, "\(both)")
        let entries = try #require(try JSONValue.parse(Array(both.stdout.utf8)).arrayValue)
        #expect(entries.count == 2 && entries[0]["streams"] != nil && entries[1]["error"]?["code"]?.stringValue == "notMedia", "\(both)")
    }
}
