import AsyncHTTPClient
import NIOCore
import ReelBasics

extension TopViewClient {
    /// A raw answer: its HTTP status and at most `maxBodyBytes` of body.
    struct RawAnswer: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// Builds the GET request; refuses to build one without a key or with an unusable base URL.
    func makeRequest(path: String, query: [(String, String)]) throws(TopViewError) -> HTTPClientRequest {
        guard let apiKey = configuration.apiKey, !apiKey.isEmpty else {
            throw .missingCredentials("no API key configured, nothing was sent")
        }
        guard Self.isHeaderSafe(apiKey) else {
            throw .invalidConfiguration("the API key contains characters that cannot be sent in a header")
        }
        if let uid = configuration.uid, !Self.isHeaderSafe(uid) {
            throw .invalidConfiguration("the uid contains characters that cannot be sent in a header")
        }
        var base = configuration.baseURL.trimmingWhitespace()
        while base.hasSuffix("/") { base.removeLast() }
        let lowered = base.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"),
              base.count > "https://".count - 1,
              !base.contains("?"), !base.contains("#")
        else {
            throw .invalidConfiguration("base URL \(redactedURL(base)) is not an http(s) origin")
        }
        let queryString = query
            .map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: base + path + (queryString.isEmpty ? "" : "?" + queryString))
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        if let uid = configuration.uid, !uid.isEmpty {
            request.headers.add(name: "Topview-Uid", value: uid)
        }
        request.headers.add(name: "Accept", value: "application/json")
        return request
    }

    /// Sends the request and reads the body within `timeout`, stopping past `maxBodyBytes`.
    func send(_ request: HTTPClientRequest, timeout: Duration) async throws(TopViewError) -> RawAnswer {
        let limit = configuration.maxBodyBytes
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(
                request,
                deadline: .now() + .nanoseconds(timeout.nanoseconds),
                logger: nil
            )
        } catch {
            throw transportError(error, while: "sending the request")
        }
        let status = Int(response.status.code)
        if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), declared > limit {
            throw .bodyTooLarge(limit: limit, httpStatus: status)
        }
        do {
            let body = try await Self.readBody(response.body, limit: limit, deadline: deadline)
            return RawAnswer(status: status, body: body)
        } catch is BodyTooLarge {
            throw .bodyTooLarge(limit: limit, httpStatus: status)
        } catch is BodyTimeout {
            throw .transport("no complete answer within \(timeout)", httpStatus: status)
        } catch {
            throw transportError(error, while: "reading the answer")
        }
    }

    private struct BodyTooLarge: Error {}
    private struct BodyTimeout: Error {}

    /// Collects the body, racing a deadline: AsyncHTTPClient's own deadline stops at the response head.
    private static func readBody(
        _ body: HTTPClientResponse.Body,
        limit: Int,
        deadline: ContinuousClock.Instant
    ) async throws -> [UInt8] {
        try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                for try await chunk in body {
                    guard bytes.count + chunk.readableBytes <= limit else { throw BodyTooLarge() }
                    bytes.append(contentsOf: chunk.readableBytesView)
                }
                return bytes
            }
            group.addTask {
                try await Task.sleep(until: deadline, clock: ContinuousClock())
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else { throw BodyTimeout() }
            return bytes
        }
    }

    private func transportError(_ error: any Error, while step: String) -> TopViewError {
        if error is CancellationError || Task.isCancelled {
            return .cancellation()
        }
        if let clientError = error as? HTTPClientError, clientError == .cancelled, Task.isCancelled {
            return .cancellation()
        }
        var text = String(describing: error)
        var underlying: (any Error)? = error
        if let key = configuration.apiKey, !key.isEmpty, text.contains(key) {
            text = text.replacingAll(key, with: "<redacted>")
            underlying = nil
        }
        // Nothing listens there: name the address and the setting that chose it.
        if text.contains("Connection refused") || text.contains("errno: 111") {
            return .transport("\(step) failed: connection refused by \(redactedURL(configuration.baseURL)) (is TOPVIEW_BASE_URL right, and the API up?)",
                              underlying: underlying)
        }
        return .transport("\(step) failed: \(text)", underlying: underlying)
    }

    /// Visible ASCII and spaces only: nothing a header could be split or smuggled with.
    static func isHeaderSafe(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
