import Foundation
import Testing
@testable import Pipeline

@Suite("Job queue: concurrent claimers")
struct QueueConcurrencyTests {
    /// Two queue instances on one root (two file descriptions of the lock, as two processes have), four
    /// claimers each: every one of 50 jobs is claimed exactly once.
    @Test func twoQueuesNeverClaimTheSameJob() async throws {
        try await withQueueRoot { root in
            let seed = FileJobQueue(root: root, lockTimeout: patientLock)
            for n in 0..<50 { _ = try await seed.enqueue(taskId: "T\(n)", kind: "m2v", reason: "cli") }
            let queues = [FileJobQueue(root: root, lockTimeout: patientLock), FileJobQueue(root: root, lockTimeout: patientLock)]
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for (q, queue) in queues.enumerated() {
                    for w in 0..<4 {
                        group.addTask {
                            var mine: [String] = []
                            while let job = try await queue.claim(owner: "\(JobOwner.current):q\(q)w\(w)") {
                                mine.append(job.id)
                                try await queue.complete(job.id)
                            }
                            return mine
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claims.count == 50)
            #expect(Set(claims).count == 50)
            #expect(try await seed.counts() == [.pending: 0, .running: 0, .done: 50, .failed: 0, .cancelled: 0])
        }
    }

    /// Enqueues and claims interleaved from both instances: nothing lost, nothing doubled.
    @Test func enqueueAndClaimInterleaved() async throws {
        try await withQueueRoot { root in
            let a = FileJobQueue(root: root, lockTimeout: patientLock)
            let b = FileJobQueue(root: root, lockTimeout: patientLock)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { for n in 0..<30 { _ = try await a.enqueue(taskId: "A\(n)", kind: "m2v", reason: "cli") } }
                group.addTask { for n in 0..<30 { _ = try await b.enqueue(taskId: "A\(n)", kind: "m2v", reason: "watch") } }
                group.addTask {
                    var claimed = 0
                    while claimed < 10 {
                        if let job = try await b.claim(owner: JobOwner.current) {
                            claimed += 1
                            _ = try await b.fail(job.id, error: "later", retryAfter: .seconds(3600))
                        } else {
                            try await Task.sleep(for: .milliseconds(2))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let all = try await a.list(state: nil)
            #expect(all.count == 30)
            #expect(Set(all.map(\.id)).count == 30)
            #expect(all.filter { $0.state == .pending }.count == 30)
            #expect(all.filter { $0.lastError == "later" }.count == 10)
        }
    }
}
