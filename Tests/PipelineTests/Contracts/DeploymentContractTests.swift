import Catalog
import Foundation
import Synchronization
import Testing
@testable import Pipeline

/// The behaviour every watch list, worker registry and leader lease promises, run against the embedded files and
/// PostgreSQL (when the test script started it; under CI it must).
@Suite("Deployment stores contract")
struct DeploymentContractTests {
    @Test(arguments: DeploymentBackend.available)
    func watchListKeepsOrderAndIgnoresDuplicates(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let added = try await f.watch.add(["t-2", "t-1", "t-2"], kind: "m2v")
            #expect(added.map(\.taskId) == ["t-2", "t-1"])
            let again = try await f.otherWatch.add(["t-1", "t-3"], kind: "m2v")
            #expect(again.map(\.taskId) == ["t-3"])
            #expect(try await f.watch.list().map(\.taskId) == ["t-2", "t-1", "t-3"])
            #expect(try await f.otherWatch.remove(["t-9", "t-1", "t-1"]) == ["t-1"])
            #expect(try await f.watch.list().map(\.taskId) == ["t-2", "t-3"])
        }
    }

    @Test(arguments: DeploymentBackend.available)
    func watchListRefusesBadInputBeforeWriting(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            await #expect(throws: WatchListError.invalidTaskID) { try await f.watch.add(["ok", "../etc"], kind: "m2v") }
            await #expect(throws: WatchListError.invalidKind) { try await f.watch.add(["ok"], kind: "no-such-kind") }
            let left = try await f.watch.list()
            #expect(left.isEmpty, "nothing written: \(left)")
        }
    }

    @Test(arguments: DeploymentBackend.available)
    func watchUpdatesAndDueOrder(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            try await f.watch.add(["a", "b", "c"], kind: "m2v")
            let now = Date()
            var entries = try await f.watch.list()
            entries[0].nextPollAt = now.addingTimeInterval(3600)
            entries[1].nextPollAt = now.addingTimeInterval(-10.0004)
            entries[1].polls = 4
            entries[1].lastStatus = "running|"
            entries[1].lastError = "HTTP 502"
            entries[1].settledAt = now.addingTimeInterval(-5)
            entries[2].nextPollAt = now.addingTimeInterval(-20)
            for entry in entries { #expect(try await f.watch.update(entry)) }
            let due = try await f.otherWatch.due(now: now)
            #expect(due.map(\.taskId) == ["c", "b"])
            #expect(due.last == entries[1].storedToTheMillisecond)
            try await f.watch.remove(["c"])
            #expect(try await f.watch.update(entries[2]) == false)
            #expect(try await f.watch.list().map(\.taskId) == ["a", "b"])
        }
    }

    @Test(arguments: DeploymentBackend.available)
    func workersBeatAndLeave(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let started = Date()
            let record = WorkerRecord(id: "host-a:101", roles: ["workers"], host: "host-a", pid: 101, startedAt: started,
                                      heartbeatAt: .distantPast, jobs: [])
            try await f.workers.beat(record, forgetAfter: .seconds(3600))
            var other = record
            other.id = "host-b:7"; other.host = "host-b"; other.pid = 7; other.roles = ["callbacks", "feeder"]
            try await f.workers.beat(other, forgetAfter: .seconds(3600))
            var busy = record
            busy.jobs = ["m2v-t1", "m2v-t2"]
            try await f.workers.beat(busy, forgetAfter: .seconds(3600))
            let listing = try await f.workers.list()
            #expect(listing.workers.map(\.id) == ["host-a:101", "host-b:7"])
            let a = try #require(listing.workers.first)
            #expect(a.jobs == ["m2v-t1", "m2v-t2"] && a.roles == ["workers"] && a.pid == 101 && a.host == "host-a")
            #expect(abs(a.startedAt.timeIntervalSince(started)) < 0.002)
            #expect(listing.isAlive(a))
            #expect(abs(listing.now.timeIntervalSince(a.heartbeatAt)) < 60)
            try await f.workers.remove("host-a:101")
            #expect(try await f.workers.list().workers.map(\.id) == ["host-b:7"])
        }
    }

    @Test(arguments: DeploymentBackend.available)
    func silentWorkersAreForgotten(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let old = WorkerRecord(id: "gone:1", roles: ["workers"], host: "gone", pid: 1, startedAt: Date(), heartbeatAt: Date(), jobs: [])
            try await f.workers.beat(old, forgetAfter: .seconds(3600))
            try await Task.sleep(for: .milliseconds(300))
            var fresh = old
            fresh.id = "here:2"
            try await f.workers.beat(fresh, forgetAfter: .milliseconds(100))
            #expect(try await f.workers.list().workers.map(\.id) == ["here:2"])
        }
    }

    @Test(arguments: DeploymentBackend.available)
    func oneLeaderAtATime(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let (a, b) = (f.lease(), f.lease())
            #expect(try await a.holder("feeder") == nil)
            #expect(try await a.acquire("feeder", holder: "A", for: .seconds(60)))
            #expect(try await b.acquire("feeder", holder: "B", for: .seconds(60)) == false)
            #expect(try await a.acquire("feeder", holder: "A", for: .seconds(60)), "the holder renews")
            #expect(try await b.holder("feeder") == "A")
            #expect(try await b.acquire("other", holder: "B", for: .seconds(60)), "leases are independent")
            try await b.release("feeder", holder: "B") // not B's: changes nothing
            #expect(try await b.holder("feeder") == "A")
            try await a.release("feeder", holder: "A")
            #expect(try await b.holder("feeder") == nil)
            #expect(try await b.acquire("feeder", holder: "B", for: .seconds(60)))
            #expect(try await a.acquire("feeder", holder: "A", for: .seconds(60)) == false)
            await #expect(throws: (any Error).self) { try await a.acquire("../x", holder: "A", for: .seconds(1)) }
        }
    }

    @Test(arguments: DeploymentBackend.available)
    func aLeaseFreesWhenItsHolderIsGone(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let b = f.lease()
            if f.leaseExpires {
                #expect(try await f.lease().acquire("feeder", holder: "A", for: .seconds(1)))
                #expect(try await b.acquire("feeder", holder: "B", for: .seconds(60)) == false)
                let deadline = ContinuousClock.now + .seconds(30)
                var taken = false
                while !taken && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                    taken = try await b.acquire("feeder", holder: "B", for: .seconds(60))
                }
                #expect(taken, "an expired lease is taken over")
            } else {
                let a = f.lease()
                #expect(try await a.acquire("feeder", holder: "A", for: .seconds(60)))
                #expect(try await b.acquire("feeder", holder: "B", for: .seconds(60)) == false)
                try #require(a as? FileLeaderLease).closeAllAsAtExit() // the holding process ends: its flock goes with it
                #expect(try await b.acquire("feeder", holder: "B", for: .seconds(60)))
            }
            #expect(try await b.holder("feeder") == "B")
        }
    }

    @Test(arguments: DeploymentBackend.available)
    func taskLocksExcludeWaitAndRelease(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let id = try TaskID(validating: "t-1")
            let (a, b) = (f.taskLocks(), f.taskLocks())
            try await a.withLock(id, layout: f.layout, timeout: nil, isolation: nil) {
                await #expect(throws: CatalogError.self, "held elsewhere: the waiter times out") {
                    try await b.withLock(id, layout: f.layout, timeout: .milliseconds(300), isolation: nil) {}
                }
                try await b.withLock(try TaskID(validating: "t-2"), layout: f.layout, timeout: .seconds(5), isolation: nil) {}
                try await WriteFence.check() // the holder's writes pass
            }
            // A waiter without a timeout gets the lock once its holder lets go, not before.
            let order = Mutex<[String]>([])
            let layout = f.layout
            let holder = Task {
                try await a.withLock(id, layout: layout, timeout: nil, isolation: nil) {
                    order.withLock { $0.append("holder") }
                    try await Task.sleep(for: .milliseconds(400))
                    order.withLock { $0.append("holder done") }
                }
            }
            while order.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
            try await b.withLock(id, layout: layout, timeout: nil, isolation: nil) { order.withLock { $0.append("waiter") } }
            try await holder.value
            #expect(order.withLock { $0 } == ["holder", "holder done", "waiter"])
        }
    }
}
