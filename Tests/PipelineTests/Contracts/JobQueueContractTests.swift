import Testing
@testable import Pipeline

/// Every ``JobQueueCheck`` against every backend of this package.
@Suite("JobQueue contract")
struct JobQueueContractTests {
    @Test(arguments: JobQueueCheck.allCases)
    func fileJobQueue(_ check: JobQueueCheck) async throws {
        try await check.run(on: .file)
    }

    @Test(arguments: JobQueueCheck.allCases)
    func memoryJobQueue(_ check: JobQueueCheck) async throws {
        try await check.run(on: .memory)
    }
}
