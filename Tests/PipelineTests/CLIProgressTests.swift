import Foundation
import Testing

/// Progress as people see it: on a pseudo-terminal of 60 and 120 columns no redraw is wider than the terminal and
/// each ends with the percentage in view; without a terminal, one line per event; the batch ends with a summary on
/// stderr, also with --json (whose stdout stays the document alone).
@Suite struct CLIProgressTests {
    @Test(arguments: [60, 120])
    func progressFitsTheTerminal(columns: Int) async throws {
        try await withBench { bench in
            let task = taskId("demo")
            let run = try await bench.start("archive", task, terminal: true, columns: columns).wait()
            #expect(run.status == 0, "\(run)")
            // What the terminal shows: every redraw (split at \r) and every line, escape sequences removed.
            // ("\r\n" is one Character in Swift: split on the scalars.)
            let shown = String(String.UnicodeScalarView(run.stdout.replacingOccurrences(of: "\u{1B}[K", with: "").unicodeScalars
                .map { $0 == "\r" ? "\n" : $0 })).split(separator: "\n").map(String.init)
            let redraws = shown.filter { $0.contains("%") }
            #expect(!redraws.isEmpty, "progress was drawn: \(run)")
            // The redrawn line never wraps (a wrapped one scrolls a new line at each redraw); printed lines may.
            for line in redraws { #expect(line.count < columns, "\(line.count) columns: \(line)") }
            #expect(redraws.allSatisfy { $0.range(of: #"\d+%"#, options: .regularExpression) != nil }, "the percentage stays in view")
            #expect(shown.contains("1 task: 1 archived"), "\(run)")
            if columns >= 100 {
                // Wide enough: the decode pass shows what it makes, its frames per second and its speed against real
                // time, as ffmpeg does.
                #expect(redraws.contains { $0.range(of: #" process \[[#-]+\] \(verify, stills, 240p\) \d+ fps [0-9.]+x \d+%"#, options: .regularExpression) != nil }, "\(run)")
            }
        }
    }

    @Test func aBatchEndsWithASummaryOnStderr() async throws {
        try await withBench { bench in
            let tasks = [taskId("ready"), taskId("partial"), taskId("notfound")]
            let run = try await bench.reel(["archive"] + tasks + ["--json"])
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.contains("3 tasks: 1 archived, 2 need attention"), "\(run)")
            #expect(!run.stdout.contains("3 tasks:"), "stdout is the JSON document alone")
            #expect(!run.stderr.contains("\r") && !run.stderr.contains("[#") && !run.stderr.contains("[-"),
                    "no progress bar without a terminal (a heartbeat line is fine): \(run)")
        }
    }
}

extension CLIProgressTests {
    /// A download cut short is said in one line with what it resumes from; on a terminal the bar shows MiB and speed.
    @Test func aCutDownloadIsSaidAndResumed() async throws {
        try await withBench { bench in
            let task = taskId("cut")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 0, "\(run)")
            let said = run.stderr.split(separator: "\n").filter { $0.contains("download interrupted (") }
            #expect(!said.isEmpty && said.allSatisfy { $0.contains("resuming from ") && $0.contains("(attempt 2/") }, "\(run)")
            let shown = try await bench.start("archive", taskId("demo"), terminal: true, columns: 120).wait()
            #expect(shown.stdout.range(of: #"download \[[#-]+\] [0-9.]+/[0-9.]+ MiB"#, options: .regularExpression) != nil
                    || shown.stdout.range(of: #"download [0-9.]+/[0-9.]+ MiB"#, options: .regularExpression) != nil, "\(shown)")
        }
    }
}
