import ReelTestSupport
import Testing
import TopView

@Suite("Error codes and retries")
struct ErrorPolicyTests {
    static let table: [(code: String, disposition: TopViewError.Disposition)] = [
        ("4000", .permanent), ("4001", .permanent), ("4002", .credentials), ("4003", .permanent),
        ("4004", .notFound), ("4005", .permanent), ("4006", .permanent), ("4007", .transientLongWait),
        ("4100", .permanent), ("5000", .transient), ("5001", .transient), ("5003", .transientLongWait),
        ("5004", .transient), ("5005", .transient), ("6001", .permanent), ("401", .credentials),
        ("7777", .transient),
    ]

    @Test(arguments: table)
    func everyCodeGetsItsDisposition(code: String, disposition: TopViewError.Disposition) async throws {
        #expect(TopViewError.disposition(forCode: code) == disposition)
        try await withLoopbackServer([.envelope(code: code, message: "upstream says \(code)")]) { server in
            let error = await expectTopViewError {
                try await makeClient(server, retry: .none).query(kind: M2VKind.self, taskId: "t")
            }
            let disposition = disposition
            #expect(error?.disposition == disposition)
            #expect(error?.code == code)
            #expect(error?.description.contains("upstream says \(code)") == true)
            #expect(error?.description.contains(code) == true)
            if disposition.isTransient {
                #expect(error == .exhausted, "with retries off a transient error is exhausted at once")
            } else {
                #expect(error == .upstream)
            }
        }
    }

    @Test func numericCodeIsClassifiedLikeAString() async throws {
        try await withLoopbackServer([.json(#"{"code": 4004, "message": "Resource not found!", "result": null}"#)]) { server in
            let error = await expectTopViewError { try await makeClient(server).query(kind: M2VKind.self, taskId: "t") }
            #expect(error?.code == "4004")
            #expect(error?.disposition == .notFound)
        }
    }

    @Test func creditNotEnoughSaysToTopUp() async throws {
        try await withLoopbackServer([.envelope(code: "4100", message: "Credit not enough")]) { server in
            let error = await expectTopViewError { try await makeClient(server, retry: .fast).query(kind: M2VKind.self, taskId: "t") }
            #expect(error?.description.contains("top up") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test(arguments: ["5003", "4007", "5000"])
    func transientCodeThenSuccessRetries(code: String) async throws {
        try await withLoopbackServer([.envelope(code: code), .json(fragmentExample)]) { server in
            let logs = LogCapture()
            let client = makeClient(server, retry: .fast, logger: logs.logger())
            let snapshot = try await client.query(kind: M2VKind.self, taskId: fragmentTaskId)
            #expect(snapshot.taskId == fragmentTaskId)
            #expect(server.requests.count == 2)
            let retry = try #require(logs.records.first { $0.message.contains("retrying") })
            #expect(retry.metadata["topview.code"] == code)
            #expect(retry.metadata["topview.attempt"] == "1")
            #expect(retry.metadata["task.id"] == fragmentTaskId)
            for record in logs.records {
                #expect(!record.message.contains(testKey))
                #expect(!record.metadata.values.contains { $0.contains(testKey) })
            }
        }
    }

    @Test(arguments: ["4000", "4001", "4002", "4004", "4100", "6001"])
    func nonTransientCodeIsNotRetried(code: String) async throws {
        try await withLoopbackServer([.envelope(code: code), .json(fragmentExample)]) { server in
            let error = await expectTopViewError {
                try await makeClient(server, retry: .fast).query(kind: M2VKind.self, taskId: fragmentTaskId)
            }
            #expect(error == .upstream)
            #expect(error?.isExhausted == false)
            #expect(server.requests.count == 1)
        }
    }

    @Test func persistentServerErrorIsExhaustedAfterMaxAttempts() async throws {
        try await withLoopbackServer([.envelope(code: "5000", message: "Internal server error!")]) { server in
            let policy = RetryPolicy.fast
            let error = await expectTopViewError {
                try await makeClient(server, retry: policy).query(kind: M2VKind.self, taskId: "t")
            }
            #expect(error == .exhausted)
            #expect(error?.isExhausted == true)
            #expect(error?.code == "5000")
            #expect(error?.attempts == policy.maxAttempts)
            #expect(error?.description.contains("after \(policy.maxAttempts) attempts") == true)
            #expect(error?.description.contains("Internal server error!") == true)
            #expect(server.requests.count == policy.maxAttempts)
        }
    }

    @Test func unknownCodeIsRetriedABoundedNumberOfTimes() async throws {
        try await withLoopbackServer([.envelope(code: "9999", message: "Something new")]) { server in
            let error = await expectTopViewError {
                try await makeClient(server, retry: .fast).query(kind: M2VKind.self, taskId: "t")
            }
            #expect(error == .exhausted)
            #expect(error?.code == "9999")
            #expect(error?.description.contains("Something new") == true)
            #expect(server.requests.count == RetryPolicy.fast.maxUnknownCodeAttempts)
            #expect(RetryPolicy.fast.maxUnknownCodeAttempts < RetryPolicy.fast.maxAttempts)
        }
    }

    @Test func totalBudgetBoundsTheWaits() async throws {
        // Waits on a test clock that moves exactly as far as the client waits: 4007 waits 40 s each time, so the
        // attempts are at 0, 40 and 80 s, and a wait to 120 s would pass the 100 s budget. Every request gets
        // at least the 20 s left of the budget on the real clock: no request times out on a loaded machine.
        let clock = TestClock(advancesWhenSleeping: true)
        var policy = RetryPolicy.fast
        policy.maxAttempts = 100
        policy.longWait = .seconds(40)
        policy.totalBudget = .seconds(100)
        policy.clock = clock
        try await withLoopbackServer([.envelope(code: "4007")]) { server in
            let error = await expectTopViewError {
                try await makeClient(server, retry: policy).query(kind: M2VKind.self, taskId: "t")
            }
            #expect(error == .exhausted)
            #expect(error?.description.contains("budget") == true)
            #expect(server.requests.count == 3)
            #expect(error?.attempts == 3)
            #expect(clock.now.offset == .seconds(80), "no wait past the budget was begun")
        }
    }

    @Test func delaysFollowThePolicy() {
        let policy = RetryPolicy()
        var generator = SystemRandomNumberGenerator()
        for failures in 1...10 {
            let delay = policy.delay(afterFailures: failures, disposition: .transient, code: "5000", using: &generator)
            let window = min(policy.maxDelay, policy.baseDelay * (1 << (failures - 1)))
            #expect(delay >= .zero && delay <= window)
        }
        #expect(policy.delay(afterFailures: 1, disposition: .transientLongWait, code: "4007", using: &generator) == .seconds(30))
        let busy = policy.delay(afterFailures: 1, disposition: .transientLongWait, code: "5003", using: &generator)
        #expect(busy >= .seconds(10) && busy <= .seconds(30))
    }
}
