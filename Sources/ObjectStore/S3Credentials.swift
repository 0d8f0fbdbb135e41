/// An access key for an S3-compatible store: the key id, its secret and, for temporary credentials, the
/// session token.
///
/// The secret and the token never leave through printing: `description`, `debugDescription` and the mirror
/// (`dump`, `String(reflecting:)`) show the key id only. Compare with `==`, never by printing.
public struct S3Credentials: Sendable, Equatable {
    public var accessKeyId: String
    /// Never printed: `description`, `debugDescription` and the mirror redact it.
    public var secretAccessKey: String
    /// Sent (and signed) as `x-amz-security-token` when set; redacted like the secret.
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

extension S3Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `S3Credentials(accessKeyId: AKIA…, secretAccessKey: <redacted>, sessionToken: <redacted>)`.
    public var description: String {
        "S3Credentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "nil" : "<redacted>"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "accessKeyId": accessKeyId,
            "secretAccessKey": "<redacted>",
            "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
        ], displayStyle: .struct)
    }
}
