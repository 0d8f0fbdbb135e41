import AsyncHTTPClient
import Foundation
import Logging
import MetricsTestKit
@testable import Pipeline
import Testing
import TopView

/// The feeder's writes to the watch list are not best effort: a failure is logged with the task and counted in
/// `reel_state_errors_total{store="watch"}`.
@Suite struct FeederStateErrorTests {
    @Test func aWatchListThatCannotBeWrittenIsLoggedAndCounted() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("feeder-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        // A directory where the lock file should be: every read and write of the list fails.
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".watch.lock"), withIntermediateDirectories: true)
        let lines = CollectedLog()
        var logger = Logger(label: "test.feeder") { _ in CollectingLogHandler(log: lines) }
        logger.logLevel = .info
        let test = TestMetrics()
        let metrics = ReelMetrics(factory: test)
        let feeder = Feeder(client: TopViewClient(httpClient: .shared, configuration: TopViewConfiguration(), logger: logger),
                            watch: WatchList(root: root, lockTimeout: .seconds(2)), queue: MemoryJobQueue(),
                            settings: ServiceSettings(), wake: WakeSignal(), metrics: metrics, logger: logger)
        #expect(try test.expectCounter("reel_state_errors_total", [("store", "watch")]).totalValue == 0)
        await feeder.poll(WatchEntry(taskId: "task-1", kind: "no-such-kind", addedAt: Date(), nextPollAt: Date()))
        #expect(try test.expectCounter("reel_state_errors_total", [("store", "watch")]).totalValue == 1)
        let logged = lines.all
        #expect(logged.contains { $0.hasPrefix("error watched task not removed") && $0.contains("task.id=task-1") }, "\(logged)")
    }
}
