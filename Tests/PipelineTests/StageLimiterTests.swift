import AsyncHTTPClient
import Catalog
import Foundation
import Logging
import Synchronization
import Testing
import TopView
@testable import Pipeline

/// A door that holders wait at until the test opens it.
private actor Latch {
    private var open = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if open { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        open = true
        for w in waiting { w.resume() }
        waiting = []
    }
}

/// A value shared by the tasks of a test.
private final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

/// Waits until the limiter's load is `expected` (the tasks get there in their own time on a busy machine).
private func waitForLoad(_ limiter: StageLimiter, active: Int, waiting: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + .seconds(120)
    while await limiter.load != (active, waiting) {
        if ContinuousClock.now > deadline {
            Issue.record("load stayed \(await limiter.load), expected (\(active), \(waiting))", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

@Suite struct StageLimiterTests {
    @Test func noMoreThanTheLimitAreInsideAndTheRestWait() async throws {
        let limiter = StageLimiter(stage: "test", limit: 3)
        let door = Latch()
        let inside = Shared((now: 0, most: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await limiter.withPermit {
                        inside.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        await door.wait()
                        inside.withLock { $0.now -= 1 }
                    }
                }
            }
            try await waitForLoad(limiter, active: 3, waiting: 17)
            #expect(inside.withLock { $0.now } == 3)
            await door.release()
            try await group.waitForAll()
        }
        #expect(inside.withLock { $0.most } == 3)
        #expect(await limiter.load == (0, 0))
    }

    @Test func waitersEnterInTheOrderTheyCame() async throws {
        let limiter = StageLimiter(stage: "test", limit: 1)
        let door = Latch()
        let order = Shared<[Int]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await limiter.withPermit { await door.wait() } }
            try await waitForLoad(limiter, active: 1, waiting: 0)
            for n in 1...4 {
                group.addTask { try await limiter.withPermit { order.withLock { $0.append(n) } } }
                try await waitForLoad(limiter, active: 1, waiting: n)
            }
            await door.release()
            try await group.waitForAll()
        }
        #expect(order.withLock { $0 } == [1, 2, 3, 4])
    }

    @Test func aCancelledWaiterLeavesTheLineAndNeverEnters() async throws {
        let limiter = StageLimiter(stage: "test", limit: 1)
        let door = Latch()
        let holder = Task { try await limiter.withPermit { await door.wait() } }
        try await waitForLoad(limiter, active: 1, waiting: 0)
        let entered = Shared(false)
        let waiter = Task { try await limiter.withPermit { entered.withLock { $0 = true } } }
        try await waitForLoad(limiter, active: 1, waiting: 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await limiter.load == (1, 0))
        await door.release()
        try await holder.value
        #expect(await limiter.load == (0, 0))
        #expect(!entered.withLock { $0 })
    }

    @Test func aBodyThatThrowsGivesItsPlaceBack() async throws {
        struct Boom: Error {}
        let limiter = StageLimiter(stage: "test", limit: 1)
        await #expect(throws: Boom.self) { try await limiter.withPermit { throw Boom() } }
        #expect(await limiter.load == (0, 0))
        #expect(try await limiter.withPermit { 7 } == 7)
    }

    /// Two items of one task archived at once (`jobs: 2`) with one media pass allowed: the second pass starts only
    /// after the first has finished; both assets are archived.
    @Test func oneMediaPassAtATimeAcrossTheItemsOfATask() async throws {
        try await withSandbox { sandbox in
            try await DownloadFixtures.withClient { http in
                let root = FileManager.default.temporaryDirectory.appendingPathComponent("stages-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: root) }
                let catalog = try Catalog(root: root)
                let logger = Logger(label: "reelvault.tests.stages")
                let client = TopViewClient(httpClient: http, configuration: TopViewConfiguration(baseURL: sandbox.url, apiKey: "k", retry: .fast),
                                           logger: logger)
                let downloader = Downloader(httpClient: http, configuration: DownloadFixtures.configuration(for: sandbox), logger: logger)
                // A pass lasts from its "process" stage event to its last progress report (1.0, sent from the media
                // thread before the pass returns and the place is given back).
                let passes = Shared((now: 0, most: 0, count: 0))
                let limits = StageLimits(downloads: 2, media: 1)
                let context = ArchiveContext(catalog: catalog, client: client, downloader: downloader,
                                             settings: ArchiveSettings(jobs: 2, presets: []), limits: limits, logger: logger) { event in
                    switch event {
                    case .stage(_, _, _, "process"):
                        passes.withLock { $0.now += 1; $0.most = max($0.most, $0.now); $0.count += 1 }
                    case .progress(_, _, _, "process", let fraction) where fraction >= 1:
                        passes.withLock { $0.now -= 1 }
                    default:
                        break
                    }
                }
                let outcome = await Archiver(context: context).archive(taskId: "ready-\(UUID())", kind: M2VKind.self)
                #expect(outcome.status == .ok, "\(outcome.message ?? "")")
                let seen = passes.withLock { $0 }
                #expect(seen.count == 2 && seen.now == 0, "\(seen)")
                #expect(seen.most == 1, "\(seen)")
                #expect(await limits.media.load == (0, 0))
            }
        }
    }
}
