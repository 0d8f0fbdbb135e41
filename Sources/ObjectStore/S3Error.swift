import Foundation
import ReelBasics

/// A failed S3 call: the operation, the key, the HTTP status and S3's error code and message (from its XML body), or
/// the transport failure. `description` says what to do; it never holds a credential.
public struct S3Error: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let key: String
    /// 0 when no response came (a transport failure).
    public let status: Int
    /// S3's `<Code>` (`NoSuchKey`, `SignatureDoesNotMatch`, `PreconditionFailed`, …), or a transport error's text.
    public let code: String
    public let message: String

    public init(operation: String, key: String, status: Int, code: String, message: String) {
        self.operation = operation
        self.key = key
        self.status = status
        self.code = code
        self.message = message
    }

    /// Worth another attempt: no response, a throttle or a server error.
    public var isRetryable: Bool {
        status == 0 || status == 429 || status >= 500 || code == "SlowDown" || code == "RequestTimeout"
    }

    public var isPreconditionFailed: Bool { status == 412 || code == "PreconditionFailed" }

    public var description: String {
        let what = "S3 \(operation) of \(SafeText.escape(key, limit: 200))"
        let detail = status == 0 ? code : "HTTP \(status) \(code)\(message.isEmpty ? "" : ": \(message)")"
        return "\(what) failed (\(SafeText.escape(detail, limit: 400))): \(hint)"
    }

    private var hint: String {
        switch code {
        case "SignatureDoesNotMatch", "InvalidAccessKeyId", "AuthorizationHeaderMalformed":
            "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION, and that this machine's clock is right"
        case "AccessDenied":
            "give the credentials s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on the bucket"
        case "NoSuchBucket":
            "create the bucket, or fix the bucket in REEL_STORE_URL"
        case "BadDigest", "XAmzContentSHA256Mismatch", "InvalidDigest":
            "the bytes changed on the way or on disk; the upload is retried from the file"
        case "PreconditionFailed":
            "another process wrote the object since this one read it"
        default:
            status == 0 ? "check REEL_S3_ENDPOINT and that the server is up" : "run the command again; if it persists, check the server's log"
        }
    }
}
