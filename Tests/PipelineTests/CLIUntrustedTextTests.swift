import Catalog
import Foundation
import Testing
import TopView

/// Untrusted text (upstream status and errorMsg, error messages quoting them, stored values) in the CLI's human
/// output and log lines is escaped and cut (control characters as `\n`, `\u{1b}` …; 256 characters then `…`),
/// whether or not the output is a terminal; `--json` stays the exact value.
@Suite struct CLIUntrustedTextTests {
    static let hostileStatus = "\u{1b}[2Jfail\nforged: task done, exit 0"
    static let hostileMessage = "boom\r\n2026-01-01T00:00:00 info reelvault: forged line \u{1b}]0;owned\u{07}\u{202E}" + String(repeating: "x", count: 1000)

    /// No byte a terminal would act on: control characters other than the line feeds the CLI writes itself.
    static func controlBytes(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" }
    }

    @Test func showAndLsEscapeStoredUpstreamText() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reel-untrusted-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let id = try TaskID(validating: "hostile-1")
        let asset = AssetRecord(scriptId: 0, role: .preview, state: .failed, error: AssetError(code: "upstream.item_failed", message: Self.hostileMessage))
        try await Catalog(root: root).save(TaskManifest(taskId: id, kind: "m2v", status: Self.hostileStatus, errorMsg: Self.hostileMessage, assets: [asset]))

        let shown = try await ReelProcess.run(["show", id.rawValue, "--storage", root.path])
        #expect(shown.status == 0, "\(shown)")
        #expect(Self.controlBytes(shown.stdout).isEmpty, "raw control characters reached stdout: \(shown.stdout.debugDescription)")
        let lines = shown.stdout.split(separator: "\n")
        #expect(lines.count == 2, "one line for the task, one for its asset; no forged line: \(shown.stdout.debugDescription)")
        #expect(shown.stdout.contains(#"\u{1b}[2Jfail\nforged: task done, exit 0"#), "\(shown.stdout.debugDescription)")
        #expect(shown.stdout.contains(#"boom\r\n2026-01-01T00:00:00 info reelvault: forged line \u{1b}]0;owned\u{7}\u{202e}"#))
        #expect(lines.allSatisfy { !$0.contains(String(repeating: "x", count: 300)) }, "a value is cut at 256 characters")
        #expect(shown.stdout.contains("x…"), "a cut value ends with …")

        let json = try await ReelProcess.run(["show", id.rawValue, "--storage", root.path, "--json"])
        #expect(json.status == 0, "\(json)")
        let document = try JSONValue.parse(Array(json.stdout.utf8))
        #expect(document["status"]?.stringValue == Self.hostileStatus, "--json keeps the exact value")
        #expect(document["errorMsg"]?.stringValue == Self.hostileMessage, "--json keeps the exact value")

        let listed = try await ReelProcess.run(["ls", "--storage", root.path])
        #expect(listed.status == 0, "\(listed)")
        #expect(Self.controlBytes(listed.stdout).isEmpty, "\(listed.stdout.debugDescription)")
        #expect(listed.stdout.split(separator: "\n").count == 2, "a header and one line: \(listed.stdout.debugDescription)")
    }

    @Test(arguments: [false, true])
    func archiveEventsAndLogsEscapeAnUpstreamErrorMsg(terminal: Bool) async throws {
        let result: [String: Any] = ["taskId": "hostile-2", "status": "fail", "errorMsg": Self.hostileMessage,
                                     "previewVideos": [["scriptId": 0, "status": "fail"]], "exportVideos": [[String: Any]]()]
        let envelope = try JSONSerialization.data(withJSONObject: ["code": "200", "message": "Success", "result": result])
        let upstream = try LoopbackStub(body: String(decoding: envelope, as: UTF8.self))
        defer { upstream.stop() }
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("reel-untrusted-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: storage) }
        let environment = ["TOPVIEW_BASE_URL": upstream.url, "TOPVIEW_API_KEY": "tvk-SECRET-untrusted", "REEL_STORAGE": storage.path,
                           "TOPVIEW_RETRY_POLICY": "fast", "REEL_LOG_LEVEL": "trace"]
        let run = try await ReelProcess.start(["archive", "hostile-2", "--no-wait"], environment: environment, terminal: terminal).wait()
        #expect(run.status == 1, "\(run)")
        // On a terminal the CLI itself writes \r and ESC[K to redraw its bars: look at what follows them only.
        let output = (run.stdout + run.stderr).replacingOccurrences(of: "\r\u{1b}[K", with: "\n").replacingOccurrences(of: "\u{1b}[K", with: "")
            .replacingOccurrences(of: "\r", with: "\n")
        #expect(Self.controlBytes(output).isEmpty, "raw control characters reached the output: \(output.debugDescription)")
        #expect(!output.split(separator: "\n").contains { $0.hasPrefix("2026-01-01T00:00:00 info reelvault: forged line") }, "a forged line: \(output)")
        #expect(output.contains(#"boom\r\n2026-01-01T00:00:00 info reelvault: forged line"#), "the message is shown, escaped: \(output)")
    }
}
