import Catalog
import Foundation
import MetricsTestKit
@testable import Pipeline
import Testing
@testable import TopView

/// ``ReelMetrics`` in process with swift-metrics' test backend: every family with known labels exists at 0 from the
/// start, a finished job records its outcome, stages, verdicts and bytes, and one upstream failure gets the same label
/// whether the feeder or a job saw it.
@Suite struct ReelMetricsTests {
    @Test func knownFamiliesExistAtZeroFromTheStart() throws {
        let test = TestMetrics()
        _ = ReelMetrics(factory: test)
        for verdict in ReelMetrics.verdicts {
            #expect(try test.expectCounter("reel_verifications_total", [("verdict", verdict)]).totalValue == 0)
        }
        for result in ReelMetrics.callbackResults {
            #expect(try test.expectCounter("reel_callbacks_total", [("result", result)]).totalValue == 0)
        }
        for state in JobState.allCases {
            #expect(try test.expectGauge("reel_jobs", [("state", state.rawValue)]).lastValue == 0)
        }
        #expect(try test.expectGauge("reel_queue_depth").lastValue == 0)
        for store in ReelMetrics.stateStores {
            #expect(try test.expectCounter("reel_state_errors_total", [("store", store)]).totalValue == 0)
        }
        #expect(try test.expectCounter("reel_bytes_downloaded_total").totalValue == 0)
        #expect(try test.expectCounter("reel_leases_lost_total").totalValue == 0)
        for stage in ReelMetrics.stages { _ = try test.expectTimer("reel_stage_seconds", [("stage", stage)]) }
    }

    @Test func aFinishedJobRecordsWhatChanged() throws {
        let test = TestMetrics()
        let metrics = ReelMetrics(factory: test)
        let id = try TaskID(validating: "ready-metrics-1")
        let before = TaskManifest(taskId: id, kind: "m2v", assets: [AssetRecord(scriptId: 0, role: .preview)])
        var asset = AssetRecord(scriptId: 0, role: .preview, state: .archived,
                                source: FileRecord(path: "a/source.mp4", bytes: 1000, sha256: String(repeating: "0", count: 64)),
                                cover: FileRecord(path: "a/cover.jpg", bytes: 24, sha256: String(repeating: "0", count: 64)))
        asset.verification = VerificationRecord(verdict: "mismatch", measuredDurationUs: 1, toleranceUs: 1, frames: 1, decodeErrors: 0)
        let after = TaskManifest(taskId: id, kind: "m2v", assets: [asset])
        metrics.job(outcome: ArchiveOutcome(taskId: id.rawValue, status: .attention, message: "x"), duration: .milliseconds(1500),
                    stages: [("download", .milliseconds(200)), ("process", .milliseconds(1200))], before: before, after: after)
        #expect(try test.expectCounter("reel_jobs_finished_total", [("status", "attention")]).totalValue == 1)
        #expect(try test.expectTimer("reel_job_seconds", [("status", "attention")]).values == [1_500_000_000])
        #expect(try test.expectTimer("reel_stage_seconds", [("stage", "process")]).values == [1_200_000_000])
        #expect(try test.expectCounter("reel_verifications_total", [("verdict", "mismatch")]).totalValue == 1)
        #expect(try test.expectCounter("reel_bytes_downloaded_total").totalValue == 1024)
        // The same manifest again changes nothing.
        metrics.job(outcome: ArchiveOutcome(taskId: id.rawValue, status: .ok), duration: .zero, stages: [], before: after, after: after)
        #expect(try test.expectCounter("reel_verifications_total", [("verdict", "mismatch")]).totalValue == 1)
        #expect(try test.expectCounter("reel_bytes_downloaded_total").totalValue == 1024)
    }

    /// One label function: an HTTP 502 seen by the feeder and the same failure ending a job count in one series.
    @Test func oneUpstreamFailureHasOneLabel() throws {
        let test = TestMetrics()
        let metrics = ReelMetrics(factory: test)
        let error = TopViewError.httpStatus(502, message: "bad gateway", disposition: .transient)
        metrics.upstreamError(error.upstreamLabel ?? "transport") // as the feeder records it
        metrics.job(outcome: ArchiveOutcome(taskId: "t", status: .unavailable, message: error.description, upstreamCode: error.upstreamLabel),
                    duration: .zero, stages: [], before: nil, after: nil)
        #expect(try test.expectCounter("reel_upstream_errors_total", [("code", "http_502")]).totalValue == 2)
        #expect(test.counters(label: "reel_upstream_errors_total").count == 1)
    }

    @Test func callbacksAndStagesAreCounted() throws {
        let test = TestMetrics()
        let metrics = ReelMetrics(factory: test)
        metrics.callback("queued")
        metrics.callback("queued")
        metrics.callback("duplicate")
        metrics.stage("download", active: 2, waiting: 5)
        metrics.queue(counts: [.pending: 7, .running: 2])
        #expect(try test.expectCounter("reel_callbacks_total", [("result", "queued")]).totalValue == 2)
        #expect(try test.expectCounter("reel_callbacks_total", [("result", "duplicate")]).totalValue == 1)
        #expect(try test.expectGauge("reel_stage_active", [("stage", "download")]).lastValue == 2)
        #expect(try test.expectGauge("reel_stage_waiting", [("stage", "download")]).lastValue == 5)
        #expect(try test.expectGauge("reel_queue_depth").lastValue == 7)
        #expect(try test.expectGauge("reel_jobs", [("state", "running")]).lastValue == 2)
        #expect(try test.expectGauge("reel_jobs", [("state", "done")]).lastValue == 0)
    }
}
