import Logging

extension TopViewClient {
    /// Runs `operation` until it succeeds, fails with a non-transient error, or the retry policy runs out.
    ///
    /// `operation` gets its timeout: `requestTimeout`, cut to what is left of the total budget, so the
    /// whole query ends within `totalBudget` (give or take a millisecond). Time is the policy's clock.
    func withRetries<Value: Sendable>(
        taskId: String,
        kind: String,
        _ operation: (_ timeout: Duration) async throws(TopViewError) -> Value
    ) async throws(TopViewError) -> Value {
        try await withRetries(on: configuration.retry.clock, taskId: taskId, kind: kind, operation)
    }

    private func withRetries<C: Clock<Duration>, Value: Sendable>(
        on clock: C,
        taskId: String,
        kind: String,
        _ operation: (_ timeout: Duration) async throws(TopViewError) -> Value
    ) async throws(TopViewError) -> Value {
        let policy = configuration.retry
        let deadline = clock.now.advanced(by: policy.totalBudget)
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        var unknownCodeAttempts = 0
        while true {
            attempt += 1
            let failure: TopViewError
            let timeout = max(min(configuration.requestTimeout, clock.now.duration(to: deadline)), .milliseconds(1))
            do {
                return try await operation(timeout)
            } catch {
                failure = error
            }
            guard failure.disposition.isTransient, failure != .cancelled else { throw failure }
            if failure.isUnknownCode { unknownCodeAttempts += 1 }

            var reason: String?
            if unknownCodeAttempts >= policy.maxUnknownCodeAttempts && failure.isUnknownCode {
                reason = "unknown code \(failure.code ?? "?") repeated \(unknownCodeAttempts) times"
            } else if attempt >= policy.maxAttempts {
                reason = "no attempts left"
            }
            let delay = policy.delay(
                afterFailures: attempt, disposition: failure.disposition, code: failure.code, using: &generator
            )
            if reason == nil && clock.now.advanced(by: delay) > deadline {
                reason = "time budget of \(policy.totalBudget) spent"
            }
            if let reason {
                // Logged once here at notice; the caller reports the failure to people.
                logger.notice(
                    "TopView query failed, giving up",
                    metadata: metadata(failure, attempt: attempt, taskId: taskId, kind: kind)
                )
                throw .exhausted(after: failure, attempts: attempt, reason: reason)
            }

            var retryMetadata = metadata(failure, attempt: attempt, taskId: taskId, kind: kind)
            retryMetadata["topview.delay_ms"] = "\(delay.milliseconds)"
            // The detail is for the log level that asks for it; whoever listens gets one short line.
            logger.info("TopView query failed, retrying", metadata: retryMetadata)
            let short = failure.code.map { "code \($0)" } ?? failure.httpStatus.map { "HTTP \($0)" } ?? failure.message
            configuration.onRetry?(RetryNotice(taskId: taskId, attempt: attempt, maxAttempts: policy.maxAttempts, delay: delay,
                                               reason: String(short.prefix(200))))
            do {
                try await clock.sleep(for: delay)
            } catch {
                throw .cancellation()
            }
        }
    }

    private func metadata(_ failure: TopViewError, attempt: Int, taskId: String, kind: String) -> Logger.Metadata {
        [
            "topview.code": "\(failure.code ?? failure.httpStatus.map { "HTTP \($0)" } ?? "transport")",
            "topview.attempt": "\(attempt)",
            "topview.disposition": "\(failure.disposition.rawValue)",
            "topview.kind": "\(kind)",
            "task.id": "\(taskId)",
            "error.message": "\(failure.message)",
        ]
    }
}
