import Foundation
import ReelBasics

/// Where and how to reach the TopView OpenAPI.
///
/// `description`, `debugDescription` and the reflection mirror (`dump`) print the key as `<redacted>`;
/// the type is deliberately not `Codable`, so the key cannot leak into a stored or printed document.
public struct TopViewConfiguration: Sendable {
    /// The API's origin, without a trailing path (`https://api.topview.ai`).
    public var baseURL: String
    /// The bearer token. Never logged, never printed.
    public var apiKey: String?
    /// Sent as `Topview-Uid` when set.
    public var uid: String?
    /// Bound on one request: connecting, the answer's head and reading its body.
    public var requestTimeout: Duration
    /// Answers larger than this are refused without reading them to the end.
    public var maxBodyBytes: Int
    public var retry: RetryPolicy
    /// Told of each retry before its wait (`reel archive` prints `retrying in 2 s (attempt 2/6): HTTP 502`); the
    /// full detail is logged at `info`.
    public var onRetry: (@Sendable (RetryNotice) -> Void)?

    public static let defaultBaseURL = "https://api.topview.ai"

    public init(
        baseURL: String = TopViewConfiguration.defaultBaseURL,
        apiKey: String? = nil,
        uid: String? = nil,
        requestTimeout: Duration = .seconds(30),
        maxBodyBytes: Int = 4 * 1024 * 1024,
        retry: RetryPolicy = .standard
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.uid = uid
        self.requestTimeout = requestTimeout
        self.maxBodyBytes = maxBodyBytes
        self.retry = retry
    }

    /// Why ``baseURL`` must not receive the API key, or nil when it may: it must be `https://` unless its host is
    /// loopback (`localhost`, 127.0.0.0/8, `::1`: the local sandbox), and neither it nor any address it resolves to
    /// may be link-local (169.254.0.0/16, fe80::/10: cloud metadata endpoints). Phrased to follow the setting's
    /// name: `TOPVIEW_BASE_URL must be https:// …`.
    public var baseURLProblem: String? {
        OutboundURL.problem(baseURL, policy: .httpsUnlessLoopback)
    }
}

/// One retry of a query, as ``TopViewConfiguration/onRetry`` hears of it.
public struct RetryNotice: Sendable, Equatable {
    public var taskId: String
    /// The attempt that failed (1-based) and how many the policy allows.
    public var attempt: Int
    public var maxAttempts: Int
    public var delay: Duration
    /// Short: `HTTP 502`, `code 5003`, or the transport error.
    public var reason: String

    /// `retrying in 2 s (attempt 2/6): HTTP 502` — the attempt about to be made.
    public var line: String {
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        let wait = seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms"
            : seconds < 10 ? String(format: "%.1f s", seconds) : "\(Int(seconds.rounded())) s"
        return "retrying in \(wait) (attempt \(attempt + 1)/\(maxAttempts)): \(reason)"
    }
}

extension TopViewConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "TopViewConfiguration(baseURL: \(baseURL), apiKey: \(apiKey == nil ? "nil" : "<redacted>"), "
            + "uid: \(uid ?? "nil"), requestTimeout: \(requestTimeout), maxBodyBytes: \(maxBodyBytes), "
            + "retry: maxAttempts \(retry.maxAttempts), totalBudget \(retry.totalBudget))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "baseURL": baseURL,
                "apiKey": apiKey == nil ? "nil" : "<redacted>",
                "uid": uid as Any,
                "requestTimeout": requestTimeout,
                "maxBodyBytes": maxBodyBytes,
                "retry": retry,
            ],
            displayStyle: .struct
        )
    }
}
