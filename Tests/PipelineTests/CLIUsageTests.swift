import Catalog
import Foundation
import Testing
import TopView

/// Arguments, configuration and where things go: usage errors are exit 2, the storage root is `--storage`,
/// else `REEL_STORAGE`, else `./storage`; progress bars only on a terminal.
@Suite struct CLIUsageTests {
    @Test(arguments: [
        ["archive"],
        ["archive", "ready-1", "--kind", "video_avatar_typo"],
        ["archive", "ready-1", "--jobs", "0"],
        ["archive", "ready-1", "--poll-interval", "0"],
        ["archive", "ready-1", "--timeout", "-1"],
        ["archive", "ready-1", "--preset", "721p"],
        ["archive", "ready-1", "--bogus"],
        ["frobnicate"],
        ["show"],
        ["ls", "--state", "lost"],
        ["render", "--preset", "240p"],
        ["render", "ready-1", "--all", "--preset", "240p"],
        ["render", "ready-1", "--role", "trailer", "--preset", "240p"],
        ["verify"],
    ])
    func badArgumentsAreUsageErrors(_ arguments: [String]) async throws {
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("reel-usage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storage) }
        let run = try await ReelProcess.run(arguments, environment: [
            "TOPVIEW_BASE_URL": "http://127.0.0.1:9", "TOPVIEW_API_KEY": "tvk-SECRET-usage", "REEL_STORAGE": storage.path,
        ]).checkedForKey("tvk-SECRET-usage")
        #expect(run.status == 2, "\(run)")
        #expect(!run.stderr.isEmpty, "say what is wrong: \(run)")
        #expect(!FileManager.default.fileExists(atPath: storage.appendingPathComponent("tasks").path), "\(run)")
    }

    @Test func anUnsupportedBaseURLIsAConfigurationError() async throws {
        try await withBench { bench in
            let run = try await bench.reel("archive", taskId("ready"), environment: ["TOPVIEW_BASE_URL": "ftp://127.0.0.1/"])
            #expect(run.status == 2, "\(run)")
        }
    }

    @Test(arguments: [401, 200])
    func anUnauthorizedAnswerIsACredentialsError(_ httpStatus: Int) async throws {
        let upstream = try LoopbackStub(status: httpStatus, body: #"{"code":"401","message":"Unauthorized","result":null}"#)
        defer { upstream.stop() }
        try await withBench { bench in
            let run = try await bench.reel("archive", taskId("ready"), environment: ["TOPVIEW_BASE_URL": upstream.url])
            #expect(run.status == 2, "\(run)")
            #expect(upstream.requests.count == 1, "credentials errors are not retried")
        }
    }

    @Test func theStorageRootIsTheFlagThenTheEnvironmentThenDotStorage() async throws {
        try await withBench { bench in
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-roots-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let flag = scratch.appendingPathComponent("flag"), env = scratch.appendingPathComponent("env")

            let task = taskId("ready")
            let flagged = try await bench.start("archive", task, "--storage", flag.path, environment: ["REEL_STORAGE": env.path]).wait()
            #expect(flagged.status == 0, "\(flagged)")
            #expect(FileManager.default.fileExists(atPath: flag.appendingPathComponent("index.sqlite").path))
            #expect(!FileManager.default.fileExists(atPath: env.path))

            let other = taskId("ready")
            let fromEnvironment = try await bench.start("archive", other, environment: ["REEL_STORAGE": env.path]).wait()
            #expect(fromEnvironment.status == 0, "\(fromEnvironment)")
            #expect(FileManager.default.fileExists(atPath: env.appendingPathComponent("index.sqlite").path))

            let third = taskId("ready")
            let byDefault = try await bench.start("archive", third, environment: ["REEL_STORAGE": nil], directory: scratch).wait()
            #expect(byDefault.status == 0, "\(byDefault)")
            let dotStorage = scratch.appendingPathComponent("storage")
            #expect(FileManager.default.fileExists(atPath: dotStorage.appendingPathComponent("index.sqlite").path))
            let listed = try await bench.start("ls", "--json", environment: ["REEL_STORAGE": nil], directory: scratch).wait()
            #expect(try JSONValue.parse(Array(listed.stdout.utf8)).arrayValue?.compactMap { $0["taskId"]?.stringValue } == [third])
            let shown = try await bench.start("show", task, "--json", "--storage", flag.path).wait()
            #expect(shown.status == 0, "\(shown)")
            #expect(!FileManager.default.fileExists(atPath: bench.storage.path), "nothing went to the bench's own root")
        }
    }

    @Test func explicitWaitKindAndJobsWork() async throws {
        try await withBench { bench in
            let task = taskId("partial")
            let run = try await bench.reel("archive", task, "--wait", "--kind", "m2v", "--jobs", "3", "--poll-interval", "0.2", "--timeout", "30")
            #expect(run.status == 1, "\(run)")
            let manifest = try await bench.show(task).manifest
            #expect(manifest.kind == "m2v")
            #expect(manifest.asset(scriptId: 0, role: .preview)?.state == .archived)
            #expect(manifest.asset(scriptId: 1, role: .preview)?.state == .failed)
        }
    }

    @Test func aTerminalGetsProgressBarsAndAPipeGetsLines() async throws {
        try await withBench { bench in
            let task = taskId("ready")
            // A terminal of a known width: the bar takes what the numbers leave (an unsized pseudo-terminal can be narrow).
            let run = try await bench.start("archive", task, terminal: true, columns: 120).wait()
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains("\r"), "\(run)")
            // A full bar; the speed ("0.2x ") or the amounts may stand between it and the percentage.
            #expect(run.stdout.range(of: #"\[#{5,20}\] [^\r\n\[]*100%"#, options: .regularExpression) != nil, "a full bar: \(run)")
            // The verdict coloured on a terminal, not with NO_COLOR.
            #expect(run.stdout.contains("\(task) script 0 export: archived (\u{1B}[32mmatch\u{1B}[0m)"), "\(run)")
            let plain = try await bench.start("archive", taskId("ready"), environment: ["NO_COLOR": "1"], terminal: true, columns: 120).wait()
            #expect(plain.status == 0 && plain.stdout.contains("archived (match)") && !plain.stdout.contains("\u{1B}[32m"), "\(plain)")
            let shown = try await bench.show(task).manifest
            #expect(shown.assets.map(\.state) == [.archived, .archived])
        }
    }
}
