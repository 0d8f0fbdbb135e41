import ReelTestSupport
import Testing
import TopView

@Suite("Transport failures and body limits")
struct TransportTests {
    @Test func htmlBodyIsATransportError() async throws {
        try await withLoopbackServer([.html(status: 200)]) { server in
            let error = await expectTopViewError { try await makeClient(server, retry: .none).query(kind: M2VKind.self, taskId: "t") }
            #expect(error?.disposition == .transient)
            #expect(error?.description.contains("HTML") == true)
            let cause = try #require(error?.underlying as? TopViewError)
            #expect(cause == .transport)
        }
    }

    @Test func gatewayPageIsRetriedThenSucceeds() async throws {
        try await withLoopbackServer([.html(status: 502), .json(fragmentExample)]) { server in
            let snapshot = try await makeClient(server, retry: .fast).query(kind: M2VKind.self, taskId: fragmentTaskId)
            #expect(snapshot.isSettled)
            #expect(server.requests.count == 2)
        }
    }

    @Test(arguments: ["", "   ", "not json at all", "[1,2]", #"{"status":"ok"}"#])
    func emptyOrNonEnvelopeBodyIsATransportError(body: String) async throws {
        let response = ScriptedResponse(status: 200, headers: [], body: Array(body.utf8))
        try await withLoopbackServer([response]) { server in
            let error = await expectTopViewError { try await makeClient(server).query(kind: M2VKind.self, taskId: "t") }
            let cause = try #require(error?.underlying as? TopViewError)
            #expect(cause == .transport)
            #expect(error?.disposition == .transient)
        }
    }

    @Test func unauthorizedStatusIsACredentialsError() async throws {
        try await withLoopbackServer([ScriptedResponse(status: 401, headers: [], body: Array("Unauthorized".utf8))]) { server in
            let error = await expectTopViewError { try await makeClient(server, retry: .fast).query(kind: M2VKind.self, taskId: "t") }
            #expect(error == .httpStatus)
            #expect(error?.disposition == .credentials)
            #expect(error?.httpStatus == 401)
            #expect(error?.description.contains("TOPVIEW_API_KEY") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func forbiddenWithEnvelopeKeepsTheUpstreamCode() async throws {
        try await withLoopbackServer([.envelope(code: "4006", message: "Request refuse", status: 403)]) { server in
            let error = await expectTopViewError { try await makeClient(server, retry: .fast).query(kind: M2VKind.self, taskId: "t") }
            #expect(error?.disposition == .credentials)
            #expect(error?.code == "4006")
            #expect(server.requests.count == 1)
        }
    }

    @Test func envelopeWinsOverHTTP500() async throws {
        try await withLoopbackServer([.envelope(code: "4004", message: "Resource not found!", status: 500)]) { server in
            let error = await expectTopViewError { try await makeClient(server, retry: .fast).query(kind: M2VKind.self, taskId: "t") }
            #expect(error?.disposition == .notFound)
            #expect(server.requests.count == 1)
        }
    }

    @Test func wrongPathWithoutEnvelopeIsPermanent() async throws {
        try await withLoopbackServer([ScriptedResponse(status: 404, headers: [], body: Array("no such route".utf8))]) { server in
            let error = await expectTopViewError { try await makeClient(server, retry: .fast).query(kind: M2VKind.self, taskId: "t") }
            #expect(error == .httpStatus)
            #expect(error?.disposition == .permanent)
            #expect(server.requests.count == 1)
        }
    }

    @Test(arguments: [ScriptedResponse.Delivery.normal, .chunked])
    func oversizedBodyIsRefused(delivery: ScriptedResponse.Delivery) async throws {
        var big = ScriptedResponse.json(#"{"code":"200","message":"ok","result":{"taskId":"t","pad":""# + String(repeating: "x", count: 300_000) + #""}}"#)
        big.delivery = delivery
        try await withLoopbackServer([big]) { server in
            let error = await expectTopViewError {
                try await makeClient(server, retry: .fast, maxBodyBytes: 100_000).query(kind: M2VKind.self, taskId: "t")
            }
            #expect(error == .bodyTooLarge)
            #expect(error?.description.contains("100000") == true)
            #expect(server.requests.count == 1)
            // The same body passes under a larger cap: the cap, not the content, refused it.
            let snapshot = try await makeClient(server, maxBodyBytes: 1_000_000).query(kind: M2VKind.self, taskId: "t")
            #expect(snapshot.taskId == "t")
        }
    }

    @Test func connectionRefusedIsTransientAndExhausted() async throws {
        // A port bound and never listening: refused for as long as the test holds it (a port closed after listening
        // can be handed to another test's server, which then answers).
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let deadURL = refusing.url
        let start = ContinuousClock.now
        let error = await expectTopViewError {
            try await makeClient(baseURL: deadURL, retry: .fast, requestTimeout: .milliseconds(300))
                .query(kind: M2VKind.self, taskId: "t")
        }
        #expect(error == .exhausted)
        #expect(error?.code == nil)
        // Every attempt is refused; how many fit in the fast policy's budget depends on the machine's load.
        #expect((1...RetryPolicy.fast.maxAttempts).contains(error?.attempts ?? 0))
        // Only "it does not hang": the budget itself is the policy's (RetryPolicyTests, on a test clock); a loaded CI
        // machine once took 94 s for what takes a second.
        #expect(ContinuousClock.now - start < .seconds(300))
    }

    @Test func noAnswerTimesOut() async throws {
        // The server never answers: only the request timeout can end the query. A tiny timeout; the bound is a
        // guard a loaded machine cannot reach (the point is that it ends, not how fast).
        var hang = ScriptedResponse.json("{}")
        hang.delivery = .hang
        try await withLoopbackServer([hang]) { server in
            let start = ContinuousClock.now
            let error = await expectTopViewError {
                try await makeClient(server, retry: .none, requestTimeout: .milliseconds(100)).query(kind: M2VKind.self, taskId: "t")
            }
            #expect(error?.disposition == .transient)
            #expect((error?.underlying as? TopViewError) == .transport)
            #expect(ContinuousClock.now - start < .seconds(60), "a 100 ms timeout against a server that never answers")
            #expect(server.requests.count == 1)
        }
    }

    @Test func stalledBodyTimesOut() async throws {
        // The head and 20 bytes, then silence for ever: the timeout covers reading the body too.
        var stall = ScriptedResponse.json(fragmentExample)
        stall.delivery = .stallAfter(20)
        try await withLoopbackServer([stall]) { server in
            let start = ContinuousClock.now
            let error = await expectTopViewError {
                try await makeClient(server, retry: .none, requestTimeout: .milliseconds(100)).query(kind: M2VKind.self, taskId: fragmentTaskId)
            }
            #expect((error?.underlying as? TopViewError) == .transport)
            #expect(ContinuousClock.now - start < .seconds(60), "a 100 ms timeout against a body that never ends")
        }
    }

    @Test func cancellationStopsTheRetries() async throws {
        // The retry waits 30 s on a test clock that never moves: only the cancellation can end the query.
        let clock = TestClock()
        var policy = RetryPolicy.fast
        policy.longWait = .seconds(30)
        policy.totalBudget = .seconds(120)
        policy.clock = clock
        try await withLoopbackServer([.envelope(code: "4007")]) { server in
            let client = makeClient(server, retry: policy)
            let task = Task { () async throws(TopViewError) -> TaskSnapshot in
                try await client.query(kind: M2VKind.self, taskId: "t")
            }
            try await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(30)), "the 4007 wait")
            task.cancel()
            let result = await task.result
            guard case .failure(let error) = result else {
                Issue.record("expected cancellation")
                return
            }
            #expect((error as? TopViewError) == .cancelled)
            #expect(server.requests.count == 1)
            #expect(clock.now.offset == .zero && clock.sleeperCount == 0, "ended by the cancellation, not by time")
        }
    }
}
