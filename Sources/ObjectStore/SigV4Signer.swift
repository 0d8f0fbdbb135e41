import Crypto
import Foundation
import ReelBasics

/// AWS Signature Version 4 for requests signed in the `Authorization` header, payload sent in one piece
/// (no `aws-chunked` streaming, no pre-signed URLs, no SigV4a).
///
/// ```swift
/// let signer = SigV4Signer(credentials: credentials, region: "eu-west-1")
/// let added = signer.sign(method: "PUT", url: url, headers: [("host", host), ("content-length", "\(size)")],
///                         payloadSHA256: digest, date: .now)
/// // add `added` to the request (replacing any header of the same name), send exactly `url` and those headers
/// ```
///
/// For service `s3` the canonical URI is the path as sent, encoded once and not normalized, and
/// `x-amz-content-sha256` is added and signed; other services get the generic rules (normalized path, encoded
/// twice). The value is immutable and `Sendable`: one signer serves any number of concurrent requests.
public struct SigV4Signer: Sendable {
    let credentials: S3Credentials
    public let region: String
    public let service: String
    let style: SigV4Style

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.init(credentials: credentials, region: region, service: service, style: service == "s3" ? .s3 : .generic)
    }

    /// A signer with explicit canonicalization rules (the generic test suite runs S3 rules on a non-S3 service).
    init(credentials: S3Credentials, region: String, service: String, style: SigV4Style) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.style = style
    }

    /// The lowercase hex SHA-256 of an empty body (`GET`, `HEAD`, `DELETE`).
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload hash that tells S3 the body is not part of the signature.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    static let algorithm = "AWS4-HMAC-SHA256"

    /// Headers to add to the request (Authorization, x-amz-date, x-amz-content-sha256 when `s3` style,
    /// x-amz-security-token when a session token is set).
    /// `url` is the full request URL (path already percent-encoded as it will be sent; query may be present),
    /// `headers` the request's headers (must include `host`), `payloadSHA256` lowercase hex of the body or
    /// "UNSIGNED-PAYLOAD".
    ///
    /// Headers of the same names already in `headers` are ignored for signing: the request must carry the
    /// returned values instead. Every other header in `headers` is signed (except `authorization`,
    /// `user-agent`, `connection`, `expect`, `transfer-encoding`, `x-amzn-trace-id`), so it must be sent unchanged.
    public func sign(method: String, url: URL, headers: [(String, String)], payloadSHA256: String,
                     date: Date) -> [(String, String)] {
        signing(method: method, url: url, headers: headers, payloadSHA256: payloadSHA256, date: date).headers
    }

    /// The pieces, for tests and debugging.
    ///
    /// The canonical request of exactly `headers` (nothing is added: pass the headers ``sign(method:url:headers:payloadSHA256:date:)``
    /// returns, without `Authorization`, to see what it signed).
    public func canonicalRequest(method: String, url: URL, headers: [(String, String)], payloadSHA256: String) -> String {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = Self.canonicalURI(percentEncodedPath: components?.percentEncodedPath ?? "", style: style)
        let query = Self.canonicalQuery(percentEncodedQuery: components?.percentEncodedQuery)
        let (block, signed) = Self.canonicalHeaders(headers)
        return [method.uppercased(), path, query, block, signed, payloadSHA256].joined(separator: "\n")
    }

    /// `AWS4-HMAC-SHA256`, the timestamp, the credential scope and the hex SHA-256 of the canonical request,
    /// one a line.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        let stamp = SigV4Date(date)
        let digest = hexString(SHA256.hash(data: Data(canonicalRequest.utf8)))
        return [Self.algorithm, stamp.timestamp, scope(stamp), digest].joined(separator: "\n")
    }

    /// The `Authorization` header value ``sign(method:url:headers:payloadSHA256:date:)`` returns.
    public func authorization(method: String, url: URL, headers: [(String, String)], payloadSHA256: String,
                              date: Date) -> String {
        signing(method: method, url: url, headers: headers, payloadSHA256: payloadSHA256, date: date).authorization
    }

    // MARK: - Signing

    struct Signing {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var authorization: String
        /// The headers to add, `Authorization` last.
        var headers: [(String, String)]
    }

    func signing(method: String, url: URL, headers: [(String, String)], payloadSHA256: String, date: Date) -> Signing {
        let stamp = SigV4Date(date)
        var added: [(String, String)] = [("x-amz-date", stamp.timestamp)]
        if style.signsContentSHA256Header { added.append(("x-amz-content-sha256", payloadSHA256)) }
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let replaced = Set(added.map(\.0))
        let signedHeaders = headers.filter { !replaced.contains($0.0.trimmingCharacters(in: .whitespaces).lowercased()) }
            + added
        let canonical = canonicalRequest(method: method, url: url, headers: signedHeaders, payloadSHA256: payloadSHA256)
        let toSign = stringToSign(canonicalRequest: canonical, date: date)
        let signature = hexString(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: signingKey(stamp)))
        let names = Self.canonicalHeaders(signedHeaders).signed
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope(stamp)), "
            + "SignedHeaders=\(names), Signature=\(signature)"
        return Signing(canonicalRequest: canonical, stringToSign: toSign, signature: signature,
                       authorization: authorization, headers: added + [("Authorization", authorization)])
    }

    /// `yyyyMMdd/region/service/aws4_request`.
    private func scope(_ stamp: SigV4Date) -> String {
        "\(stamp.day)/\(region)/\(service)/aws4_request"
    }

    /// HMAC chain: `"AWS4" + secret` → day → region → service → `aws4_request`.
    private func signingKey(_ stamp: SigV4Date) -> SymmetricKey {
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [stamp.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }
}

/// A date in SigV4's two forms, UTC: `20130524T000000Z` and `20130524`. Built from calendar components (no
/// shared `DateFormatter`), so safe from any thread.
struct SigV4Date: Sendable {
    let timestamp: String
    let day: String

    init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func padded(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        day = padded(parts.year, 4) + padded(parts.month, 2) + padded(parts.day, 2)
        timestamp = day + "T" + padded(parts.hour, 2) + padded(parts.minute, 2) + padded(parts.second, 2) + "Z"
    }
}
