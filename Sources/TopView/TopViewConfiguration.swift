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

    /// Reads the configuration from environment variables; empty values count as unset.
    ///
    /// - `TOPVIEW_BASE_URL`: the API's origin (default `https://api.topview.ai`; tests and the demo point
    ///   it at the local sandbox on loopback). Not checked here: see ``baseURLProblem``.
    /// - `TOPVIEW_API_KEY`: the bearer token (required to query; checked when a request is made).
    /// - `TOPVIEW_UID`: the account uid sent as `Topview-Uid`.
    /// - `TOPVIEW_RETRY_POLICY`: `standard` (default: waits of seconds, 10–30 s after 5003), `fast` (millisecond
    ///   waits, for tests and demos against the local sandbox) or `none` (one attempt).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> TopViewConfiguration {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingWhitespace(), !raw.isEmpty else { return nil }
            return raw
        }
        return TopViewConfiguration(
            baseURL: value("TOPVIEW_BASE_URL") ?? defaultBaseURL,
            apiKey: value("TOPVIEW_API_KEY"),
            uid: value("TOPVIEW_UID"),
            retry: RetryPolicy.named(value("TOPVIEW_RETRY_POLICY") ?? "standard") ?? .standard
        )
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
