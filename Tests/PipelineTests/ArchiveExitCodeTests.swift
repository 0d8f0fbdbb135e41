import Catalog
import Foundation
import ReelTestSupport
import Testing
import TopView

/// `reel archive`'s exit codes: 0 all good, 1 needs attention, 2 usage/configuration/credentials,
/// 3 not settled, 4 upstream or network unavailable; with several tasks, the largest.
@Suite struct ArchiveExitCodeTests {
    @Test func aFailedItemBesideAGoodOneIsRecordedAndTheGoodOneArchived() async throws {
        try await withBench { bench in
            let task = taskId("partial")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 1, "\(run)")
            #expect(run.stderrLines.contains { $0.hasPrefix("error: \(task): exit 1") && $0.contains("script 1 preview") }, "\(run)")
            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)
            let good = try #require(manifest.asset(scriptId: 0, role: .preview))
            #expect(good.state == .archived)
            #expect(good.verification?.verdict == "match")
            #expect(good.source.map { FileManager.default.fileExists(atPath: bench.file($0.path).path) } == true)
            let failed = try #require(manifest.asset(scriptId: 1, role: .preview))
            #expect(failed.state == .failed)
            let error = try #require(failed.error)
            #expect(!error.code.isEmpty)
            #expect(error.message.contains("fail"), "the reason: \(error.message)")
            #expect(failed.source == nil)
            #expect(manifest.asset(scriptId: 0, role: .export)?.state == .absent)
        }
    }

    @Test func aWrongReportedDurationIsAMismatch() async throws {
        try await withBench { bench in
            let task = taskId("wrongdur")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 1, "\(run)")
            let manifest = try await bench.show(task).manifest
            #expect(manifest.assets.count == 2)
            for asset in manifest.assets {
                #expect(asset.reportedDurationUs == 9_000_000)
                let verification = try #require(asset.verification)
                #expect(verification.verdict == "mismatch")
                let delta = try #require(verification.deltaUs)
                #expect(abs(delta - (4_000_000 - 9_000_000)) <= 100_000, "deltaUs \(delta)")
                #expect(abs(delta) > verification.toleranceUs)
                #expect(asset.source != nil, "the only copy is kept even when it does not verify")
            }
        }
    }

    @Test func aTruncatedVideoIsUndecodable() async throws {
        try await withBench { bench in
            let task = taskId("truncated")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 1, "\(run)")
            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)
            for asset in manifest.assets {
                #expect(asset.verification?.verdict == "undecodable")
                #expect(asset.state == .failed)
                #expect(asset.error != nil)
                #expect(asset.source?.sha256 == (try Oracle.sha256sum(bench.sandbox.media("truncated.mp4"))))
            }
            #expect(try await bench.ls("--verdict", "undecodable") == [task])
            // A source that failed as media is not resumed from: the rerun fetches it again (the vendor may fix it).
            let before = try await bench.mediaRequests(task).filter { $0.path.hasSuffix(".mp4") }.count
            let rerun = try await bench.reel("archive", task)
            #expect(rerun.status == 1, "\(rerun)")
            let after = try await bench.mediaRequests(task).filter { $0.path.hasSuffix(".mp4") }.count
            #expect(after == before + manifest.assets.count, "\(before) → \(after)")
        }
    }

    @Test func aTaskThatFailedUpstreamNeedsAttention() async throws {
        try await withBench { bench in
            let task = taskId("failed")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 1, "\(run)")
            let manifest = try await bench.show(task).manifest
            #expect(manifest.status == "fail")
            #expect(manifest.errorMsg?.isEmpty == false)
            #expect(manifest.asset(scriptId: 0, role: .preview)?.state == .failed)
            #expect(manifest.asset(scriptId: 0, role: .export)?.state == .absent)
        }
    }

    @Test func aTaskNotFoundNeedsAttentionAndLeavesNoManifest() async throws {
        try await withBench { bench in
            let task = taskId("notfound")
            let run = try await bench.reel("archive", task, "--json")
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.contains("4004"), "\(run)")
            // `--json` still prints the task's document: no assets, and the outcome with the upstream's code.
            let json = try JSONValue.parse(Array(run.stdout.utf8))
            #expect(json["taskId"]?.stringValue == task)
            #expect(json["assets"]?.arrayValue?.isEmpty == true)
            #expect(json["outcome"]?["exitCode"]?.int64Value == 1)
            #expect(json["outcome"]?["result"]?.stringValue == "attention")
            #expect(json["outcome"]?["upstreamCode"]?.stringValue == "4004")
            #expect(json["outcome"]?["message"]?.stringValue?.contains("4004") == true)
            let show = try await bench.reel("show", task)
            #expect(show.status == 1, "\(show)")
            #expect(try await bench.ls() == [])
        }
    }

    @Test func creditNotEnoughNeedsAttention() async throws {
        try await withBench { bench in
            let run = try await bench.reel("archive", taskId("credit"))
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.contains("4100"), "\(run)")
        }
    }

    @Test func aRefusedKeyIsACredentialsError() async throws {
        try await withBench { bench in
            let run = try await bench.reel("archive", taskId("badkey"))
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("4002") && run.stderr.contains("TOPVIEW_API_KEY"), "\(run)")
        }
    }

    @Test func aMissingKeyIsAConfigurationErrorAndNoRequestIsSent() async throws {
        let listener = try LoopbackStub.envelope(code: "200", message: "Success")
        defer { listener.stop() }
        try await withBench { bench in
            let task = taskId("progress")
            for key in [nil, ""] as [String?] {
                let run = try await bench.reel("archive", task, environment: ["TOPVIEW_API_KEY": key])
                #expect(run.status == 2, "\(run)")
                #expect(run.stderr.contains("TOPVIEW_API_KEY"), "\(run)")
                let elsewhere = try await bench.reel("archive", task, environment: ["TOPVIEW_API_KEY": key, "TOPVIEW_BASE_URL": listener.url])
                #expect(elsewhere.status == 2, "\(elsewhere)")
            }
            #expect(listener.connections == 0, "a connection was made without a key")
            #expect(!FileManager.default.fileExists(atPath: bench.storage.path), "the storage was created without a key")
            // The sandbox never saw a query either: its first poll of this `progress` task still answers `init`.
            let keyed = try await bench.reel("archive", task, "--no-wait")
            #expect(keyed.status == 3, "\(keyed)")
            #expect(try await bench.show(task).manifest.status == "init")
        }
    }

    @Test(arguments: ["../x", "a/b", String(repeating: "a", count: 200), ".hidden", "..", "", "a\u{01}b", "tâche"])
    func anUnsafeTaskIdIsAUsageErrorBeforeTheDiskIsTouched(_ unsafe: String) async throws {
        try await withBench { bench in
            let run = try await bench.reel("archive", unsafe)
            #expect(run.status == 2, "\(run)")
            #expect(!FileManager.default.fileExists(atPath: bench.storage.path), "the storage was created for \(unsafe.debugDescription)")
            let mixed = try await bench.reel("archive", taskId("ready"), unsafe)
            #expect(mixed.status == 2, "\(mixed)")
            #expect(!FileManager.default.fileExists(atPath: bench.storage.path), "a safe id beside an unsafe one was archived")

            // An existing catalog is not touched either.
            let ready = taskId("ready")
            #expect(try await bench.reel("archive", ready).status == 0)
            let before = bench.snapshot()
            let beforeEntries = try FileManager.default.subpathsOfDirectory(atPath: bench.storage.path).sorted()
            for arguments in [["archive", unsafe], ["show", unsafe], ["render", unsafe, "--preset", "240p"]] {
                let refused = try await ReelProcess.run(arguments, environment: bench.environment).checkedForKey(bench.apiKey)
                #expect(refused.status == 2, "\(refused)")
            }
            #expect(bench.snapshot() == before)
            #expect(try FileManager.default.subpathsOfDirectory(atPath: bench.storage.path).sorted() == beforeEntries)
            #expect(!FileManager.default.fileExists(atPath: bench.storage.deletingLastPathComponent().appendingPathComponent("x").path))
        }
    }

    @Test func anUnsettledTaskWithNoWaitIsNotSettled() async throws {
        try await withBench { bench in
            let task = taskId("progress")
            let run = try await bench.reel("archive", task, "--no-wait")
            #expect(run.status == 3, "\(run)")
            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)
            #expect(manifest.status == "init")
            #expect(manifest.assets.allSatisfy { $0.state == .pending }, "\(manifest.assets.map(\.state))")
            #expect(try await bench.ls("--state", "pending") == [task])
        }
    }

    @Test func anUnsettledTaskIsPolledUntilItSettles() async throws {
        try await withBench { bench in
            let task = taskId("progress")
            let run = try await bench.reel("archive", task, "--poll-interval", "0.2")
            #expect(run.status == 0, "\(run)")
            #expect(run.stderrLines.contains("\(task): upstream status init, waiting"), "\(run)")
            #expect(run.stderrLines.contains("\(task): upstream status running, waiting"), "\(run)")
            #expect(run.elapsed < .seconds(120))
            let manifest = try await bench.show(task).manifest
            #expect(manifest.status == "success")
            #expect(manifest.assets.map(\.state) == [.archived, .archived])
        }
    }

    @Test func aPollingBudgetSpentIsNotSettled() async throws {
        try await withBench { bench in
            let run = try await bench.reel("archive", taskId("progress"), "--poll-interval", "0.2", "--timeout", "0.3")
            #expect(run.status == 3, "\(run)")
        }
    }

    @Test func aBusyUpstreamIsRetriedUntilItAnswers() async throws {
        try await withBench { bench in
            let task = taskId("busy")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 0, "\(run)")
            #expect(try await bench.show(task).manifest.assets.map(\.state) == [.archived, .archived])
        }
    }

    @Test func anHTMLErrorPageStaysUnavailable() async throws {
        try await withBench { bench in
            let task = taskId("html")
            let run = try await bench.reel("archive", task, environment: ["TOPVIEW_RETRY_POLICY": "fast"])
            #expect(run.status == 4, "\(run)")
            #expect(!run.stderr.contains("<html"), "the page is summarised, not dumped")
        }
    }

    @Test func anUnreachableUpstreamStaysUnavailable() async throws {
        // A port bound and never listening: connections are refused for as long as the test holds it.
        let closed = try RefusingPort()
        try await withBench { bench in
            let run = try await bench.reel("archive", taskId("ready"), environment: ["TOPVIEW_BASE_URL": closed.url, "TOPVIEW_RETRY_POLICY": "fast"])
            #expect(run.status == 4, "\(run)")
            #expect(run.elapsed < .seconds(60), "giving up on a refused connection took \(run.elapsed)")
            // One voice: one short line per retry, the failure said once, naming the address and its setting.
            // How many attempts fit in the fast policy's time budget depends on the machine's load: one retry line for
            // each attempt after the first, as many as the failure says were made.
            let retries = run.stderr.split(separator: "\n").filter { $0.contains(": retrying in ") }
            let made = run.stderr.firstMatch(of: /after (\d+) attempts/).flatMap { Int($0.1) }
            #expect(made != nil && retries.count == (made ?? 0) - 1, "\(run)")
            #expect(retries.enumerated().allSatisfy { $1.contains("(attempt \($0 + 2)/4): ") }, "\(run)")
            #expect(run.stderr.contains("connection refused by \(closed.url)") || !run.stderr.contains("efused"),
                    "a refused connection names the address: \(run)")
            #expect(run.stderr.contains("TOPVIEW_BASE_URL") || !run.stderr.contains("efused"), "\(run)")
            #expect(!run.stderr.contains("TopView query failed"), "the log lines stay behind REEL_LOG_LEVEL: \(run)")
        }
        withExtendedLifetime(closed) {}
    }

    @Test func anUpstreamBusyForeverStaysUnavailable() async throws {
        let busy = try LoopbackStub.envelope(code: "5003", message: "Server is busy, please try again later!")
        defer { busy.stop() }
        try await withBench { bench in
            let run = try await bench.reel("archive", taskId("ready"), environment: ["TOPVIEW_BASE_URL": busy.url, "TOPVIEW_RETRY_POLICY": "fast"])
            #expect(run.status == 4, "\(run)")
            #expect(busy.requests.count > 1, "5003 is transient: retried")
            #expect(run.stderr.contains("5003"), "\(run)")
        }
    }

    @Test func severalTasksExitWithTheLargestCode() async throws {
        try await withBench { bench in
            let ready = taskId("ready"), partial = taskId("partial"), progress = taskId("progress")
            let three = try await bench.reel("archive", ready, partial, progress, "--no-wait")
            #expect(three.status == 3, "\(three)")
            let two = try await bench.reel("archive", taskId("notfound"), taskId("badkey"), ready)
            #expect(two.status == 2, "\(two)")
            let one = try await bench.reel("archive", ready, partial, "--json")
            #expect(one.status == 1, "\(one)")
            // Several tasks: an array, one document per task in the order given, each with its own outcome.
            let reports = try #require(try JSONValue.parse(Array(one.stdout.utf8)).arrayValue)
            #expect(reports.map { $0["taskId"]?.stringValue } == [ready, partial])
            #expect(reports.map { $0["outcome"]?["exitCode"]?.int64Value } == [0, 1])
            #expect(Set(try await bench.ls()) == [ready, partial, progress])
            #expect(try await bench.show(ready).manifest.assets.map(\.state) == [.archived, .archived])
        }
    }
}
