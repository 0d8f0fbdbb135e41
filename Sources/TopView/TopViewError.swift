/// A failed TopView request, with what the caller should do about it.
///
/// Compare with the static members (`error == .exhausted`, `error == .upstream`) to tell kinds apart: two
/// errors are equal when they are of the same kind, whatever their detail. `disposition` says how to react,
/// `code` and `message` carry the upstream's own words. The API key never appears in an error.
public struct TopViewError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What a caller should do about an error.
    public enum Disposition: String, Sendable, Codable, Equatable {
        /// Retry soon with backoff (5000/5001/5004/5005, network and gateway failures).
        case transient
        /// Retry after a longer wait (4007 unfinished task, 5003 server busy).
        case transientLongWait
        /// Retrying will not help: record the failure with its code and message.
        case permanent
        /// The API key, uid or base URL is wrong or missing: stop and say so.
        case credentials
        /// The task does not exist for these credentials (4004).
        case notFound

        public var isTransient: Bool { self == .transient || self == .transientLongWait }
    }

    private enum Kind: Equatable, Sendable {
        case missingCredentials
        case invalidConfiguration
        case upstream
        case httpStatus
        case transport
        case bodyTooLarge
        case invalidResult
        case cancelled
        case exhausted
    }

    private let kind: Kind
    /// The upstream's raw `code` (`"4004"`), when the upstream answered with an envelope.
    public let code: String?
    /// What happened, in words; for upstream errors, the upstream's own message.
    public let message: String
    public let disposition: Disposition
    /// The HTTP status of the answer that failed, when there was one.
    public let httpStatus: Int?
    /// Requests made before giving up (set on `exhausted` errors).
    public let attempts: Int?
    /// The low-level cause (an `HTTPClientError`, a `DecodingError`), when there is one.
    public let underlying: (any Error)?

    private init(
        _ kind: Kind,
        code: String? = nil,
        message: String,
        disposition: Disposition,
        httpStatus: Int? = nil,
        attempts: Int? = nil,
        underlying: (any Error)? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.disposition = disposition
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.underlying = underlying
    }

    public static func == (lhs: TopViewError, rhs: TopViewError) -> Bool { lhs.kind == rhs.kind }

    /// True when retries ran out (attempts, unknown-code limit or time budget) on a transient failure.
    public var isExhausted: Bool { kind == .exhausted }

    /// A short label of what the upstream said, for metrics and `--json`: the API code (`4004`, `5003`),
    /// `http_<status>` for an answer without an envelope, `transport` when no answer came; nil for local errors.
    public var upstreamLabel: String? {
        if let code { return code }
        if let httpStatus { return "http_\(httpStatus)" }
        if kind == .transport { return "transport" }
        if kind == .exhausted, let last = underlying as? TopViewError { return last.upstreamLabel }
        return nil
    }

    public var description: String {
        var text: String
        switch kind {
        case .missingCredentials:
            text = "TopView API key missing: \(message). Set TOPVIEW_API_KEY (and TOPVIEW_UID) or pass them as flags."
        case .invalidConfiguration:
            text = "TopView configuration invalid: \(message). Check TOPVIEW_BASE_URL."
        case .upstream:
            text = "TopView answered code \(code ?? "?"): \(message). \(Self.advice(for: disposition, code: code))"
        case .httpStatus:
            text = "TopView answered HTTP \(httpStatus.map(String.init) ?? "?") without an API envelope: \(message). "
                + Self.advice(for: disposition, code: nil)
        case .transport:
            text = "TopView could not be reached or gave an unusable answer: \(message). "
                + "Check the network and TOPVIEW_BASE_URL; this is usually temporary."
        case .bodyTooLarge:
            text = "TopView answer refused: \(message). Raise the body cap only if the endpoint is trusted."
        case .invalidResult:
            text = "TopView answered success with an unusable result: \(message). Report it; retrying will not help."
        case .cancelled:
            text = "TopView request cancelled."
        case .exhausted:
            let last = code.map { "last code \($0): " } ?? ""
            text = "TopView stayed unavailable after \(attempts.map(String.init) ?? "several") attempts (\(last)\(message)). "
                + "Try again later."
        }
        if let underlying, kind != .exhausted {
            text += " [cause: \(underlying)]"
        }
        return text
    }

    private static func advice(for disposition: Disposition, code: String?) -> String {
        switch disposition {
        case .transient, .transientLongWait: return "Temporary; retry later."
        case .credentials: return "Check TOPVIEW_API_KEY and TOPVIEW_UID."
        case .notFound: return "Check the task id and that it belongs to this account."
        case .permanent:
            if code == "4100" { return "Credit not enough: top up the TopView account, then retry." }
            return "Retrying will not help."
        }
    }
}

// MARK: - Kinds, for comparison with `==`

extension TopViewError {
    /// No API key configured; nothing was sent.
    public static let missingCredentials = TopViewError(.missingCredentials, message: "", disposition: .credentials)
    /// The configuration cannot make a request (bad base URL).
    public static let invalidConfiguration = TopViewError(.invalidConfiguration, message: "", disposition: .credentials)
    /// The upstream answered an envelope with a code other than 200.
    public static let upstream = TopViewError(.upstream, message: "", disposition: .permanent)
    /// The upstream answered an HTTP error status that retrying will not fix (401/403, other 4xx),
    /// without an envelope that says more.
    public static let httpStatus = TopViewError(.httpStatus, message: "", disposition: .permanent)
    /// Connection refused, timeout, dropped connection, HTML or empty body, HTTP 5xx/408/429 without an envelope.
    public static let transport = TopViewError(.transport, message: "", disposition: .transient)
    /// The body was over `maxBodyBytes`; reading stopped.
    public static let bodyTooLarge = TopViewError(.bodyTooLarge, message: "", disposition: .permanent)
    /// Code 200 with a result that cannot be read as the task kind's result.
    public static let invalidResult = TopViewError(.invalidResult, message: "", disposition: .permanent)
    /// The calling task was cancelled.
    public static let cancelled = TopViewError(.cancelled, message: "", disposition: .transient)
    /// A transient failure outlasted the retry policy.
    public static let exhausted = TopViewError(.exhausted, message: "", disposition: .transient)
}

// MARK: - Factories

extension TopViewError {
    static func missingCredentials(_ message: String) -> TopViewError {
        TopViewError(.missingCredentials, message: message, disposition: .credentials)
    }

    static func invalidConfiguration(_ message: String) -> TopViewError {
        TopViewError(.invalidConfiguration, message: message, disposition: .credentials)
    }

    /// An envelope whose code is not 200, classified by the reference table.
    static func upstream(
        code: String,
        message: String?,
        httpStatus: Int?,
        disposition: Disposition? = nil
    ) -> TopViewError {
        let disposition = disposition ?? Self.disposition(forCode: code)
        let text = message.flatMap { $0.isEmpty ? nil : $0 } ?? "no message"
        return TopViewError(.upstream, code: code, message: text, disposition: disposition, httpStatus: httpStatus)
    }

    static func httpStatus(_ status: Int, message: String, disposition: Disposition) -> TopViewError {
        TopViewError(.httpStatus, message: message, disposition: disposition, httpStatus: status)
    }

    static func transport(_ message: String, httpStatus: Int? = nil, underlying: (any Error)? = nil) -> TopViewError {
        TopViewError(.transport, message: message, disposition: .transient, httpStatus: httpStatus, underlying: underlying)
    }

    static func bodyTooLarge(limit: Int, httpStatus: Int?) -> TopViewError {
        TopViewError(.bodyTooLarge, message: "body larger than \(limit) bytes", disposition: .permanent, httpStatus: httpStatus)
    }

    static func invalidResult(_ message: String, underlying: (any Error)? = nil) -> TopViewError {
        TopViewError(.invalidResult, message: message, disposition: .permanent, underlying: underlying)
    }

    static func cancellation() -> TopViewError {
        TopViewError(.cancelled, message: "cancelled", disposition: .transient)
    }

    /// Wraps the last transient failure once retries are over; keeps its code, message and cause.
    static func exhausted(after last: TopViewError, attempts: Int, reason: String) -> TopViewError {
        TopViewError(
            .exhausted,
            code: last.code,
            message: "\(last.message); \(reason)",
            disposition: last.disposition,
            httpStatus: last.httpStatus,
            attempts: attempts,
            underlying: last
        )
    }

    /// Whether this failure came from a code the table does not list (retried only a bounded number of times).
    var isUnknownCode: Bool {
        kind == .upstream && code.map { Self.knownCodes.contains($0) } == false
    }
}

// MARK: - The reference table

extension TopViewError {
    static let knownCodes: Set<String> = [
        "4000", "4001", "4002", "4003", "4004", "4005", "4006", "4007", "4100",
        "5000", "5001", "5003", "5004", "5005", "6001", "401",
    ]

    /// The client policy for an upstream code, from `shared/reference/topview-api.md`.
    public static func disposition(forCode code: String) -> Disposition {
        switch code {
        case "4000", "4001", "4003", "4005", "4006", "4100", "6001": return .permanent
        case "4002", "401": return .credentials
        case "4004": return .notFound
        case "4007", "5003": return .transientLongWait
        case "5000", "5001", "5004", "5005": return .transient
        default: return .transient
        }
    }
}
