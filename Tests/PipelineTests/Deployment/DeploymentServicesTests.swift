import Foundation
import Logging
@testable import Pipeline
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

/// The services beside `reel serve`'s listeners, run under a test graceful-shutdown trigger: they take and keep what
/// they hold, and give it back on a graceful stop.
@Suite("Deployment services")
struct DeploymentServicesTests {
    static let logger: Logger = {
        var logger = Logger(label: "test.deployment")
        logger.logLevel = .critical
        return logger
    }()

    @Test func leadershipTakesTheLeaseAndGivesItBackOnAGracefulStop() async throws {
        try await withQueueRoot { root in
            let lease = FileLeaderLease(root: root)
            let first = Leadership(lease: lease, name: "feeder", holder: "first", duration: .seconds(3), logger: Self.logger)
            let second = Leadership(lease: FileLeaderLease(root: root), name: "feeder", holder: "second", duration: .seconds(3),
                                    logger: Self.logger)
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await first.run() }
                    try await Self.until { first.isLeader }
                    await second.renew()
                    #expect(!second.isLeader, "one leader at a time")
                    trigger.triggerGracefulShutdown()
                    try await group.waitForAll()
                }
            }
            #expect(!first.isLeader)
            #expect(try lease.holder("feeder") == nil, "released on the graceful stop")
            await second.renew()
            #expect(second.isLeader, "another process takes over at once")
        }
    }

    @Test func aHeartbeatIsRecordedWithItsJobsAndRemovedOnAGracefulStop() async throws {
        try await withQueueRoot { root in
            let registry = FileWorkerRegistry(root: root)
            let queue = MemoryJobQueue()
            _ = try await queue.enqueue(taskId: "t-1", kind: "m2v", reason: "test")
            _ = try await queue.claim(owner: JobOwner.current)
            let heartbeat = Heartbeat(registry: registry, owner: JobOwner.current, roles: [.workers], queue: queue, logger: Self.logger)
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await heartbeat.run() }
                    try await Self.until { try await !registry.list().workers.isEmpty }
                    let me = try #require(try await registry.list().workers.first)
                    #expect(me.id == JobOwner.current && me.roles == ["workers"] && me.jobs == ["m2v-t-1"] && me.pid == getpid())
                    trigger.triggerGracefulShutdown()
                    try await group.waitForAll()
                }
            }
            #expect(try await registry.list().workers.isEmpty, "a graceful stop removes the record")
        }
    }

    /// Polls `condition` every 10 ms (up to a minute: a guard, not a measure).
    static func until(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
