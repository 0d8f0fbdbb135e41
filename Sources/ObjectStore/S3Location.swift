import Catalog
import Foundation
import ReelBasics

/// Where a deployment's objects live: an endpoint, a bucket and a key prefix (`s3://BUCKET[/PREFIX]`), addressed
/// path-style (`https://host/BUCKET/KEY`) or virtual-hosted (`https://BUCKET.host/KEY`).
public struct S3Location: Sendable, Equatable {
    public let endpoint: URL
    public let bucket: String
    /// Prepended to every key, without a trailing `/` (empty for none).
    public let prefix: String
    public let pathStyle: Bool
    public let region: String

    /// Parses `store` (`s3://BUCKET[/PREFIX]`) and `endpoint` (`https://…`; `http://` only for a loopback host, whose
    /// traffic never leaves the machine). Throws ``S3SettingError`` naming the bad value and what to give instead.
    public init(store: String, endpoint: String, pathStyle: Bool, region: String) throws(S3SettingError) {
        guard store.hasPrefix("s3://") else {
            throw S3SettingError("REEL_STORE_URL", store, "give s3://BUCKET or s3://BUCKET/PREFIX")
        }
        let rest = store.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        guard Self.isValidBucket(bucket) else {
            throw S3SettingError("REEL_STORE_URL", store, "the bucket name must be 3-63 characters of a-z 0-9 . - (S3's rules)")
        }
        var prefix = String(rest.dropFirst(bucket.count))
        while prefix.hasPrefix("/") { prefix.removeFirst() }
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if !prefix.isEmpty, (try? CatalogLayout.components(of: prefix)) == nil {
            throw S3SettingError("REEL_STORE_URL", store, "the prefix must be a plain relative path (no '..', hidden or empty parts, no control characters)")
        }
        // Printed without any user:password part.
        let shown = redactedURL(endpoint)
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
              url.query == nil, url.user == nil, url.password == nil, url.path.isEmpty || url.path == "/" else {
            throw S3SettingError("REEL_S3_ENDPOINT", shown, "give the endpoint's base URL without credentials, e.g. https://s3.us-east-1.amazonaws.com or http://127.0.0.1:8333")
        }
        guard scheme == "https" || (scheme == "http" && HostAddress.isLoopback(host)) else {
            throw S3SettingError("REEL_S3_ENDPOINT", shown, "use https:// (http:// only for a loopback host: the credentials and bytes would cross the network in clear)")
        }
        // Virtual-hosted addressing puts the bucket in the host name: `BUCKET.127.0.0.1` or `BUCKET.localhost` is a
        // name DNS could send anywhere, in clear over http. An address literal or http takes path-style only.
        let literal = HostAddress.isLoopback(host) || host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        if !pathStyle, scheme == "http" || literal {
            throw S3SettingError("REEL_S3_PATH_STYLE", "0", "an http:// or IP-address endpoint needs path-style addressing: set REEL_S3_PATH_STYLE=1")
        }
        guard region.range(of: #"^[a-z0-9-]{1,40}$"#, options: .regularExpression) != nil else {
            throw S3SettingError("AWS_REGION", region, "give a region name such as us-east-1")
        }
        if !pathStyle, bucket.contains(".") && scheme == "https" {
            // A dotted bucket breaks the wildcard certificate of virtual-hosted addressing.
            throw S3SettingError("REEL_S3_PATH_STYLE", "0", "a bucket with dots needs path-style addressing over https: set REEL_S3_PATH_STYLE=1")
        }
        self.endpoint = url
        self.bucket = bucket
        self.prefix = prefix
        self.pathStyle = pathStyle
        self.region = region
    }

    /// S3's bucket naming rules (lowercase letters, digits, dots and hyphens; 3-63; starting and ending alphanumeric).
    static func isValidBucket(_ name: String) -> Bool {
        name.range(of: #"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"#, options: .regularExpression) != nil && !name.contains("..")
    }

    /// The object key of a catalog path (`tasks/ab/T1/manifest.json` → `PREFIX/tasks/ab/T1/manifest.json`).
    public func key(_ relativePath: String) -> String {
        prefix.isEmpty ? relativePath : prefix + "/" + relativePath
    }

    /// The catalog path of an object key under the prefix, `nil` for a key outside it.
    public func relativePath(ofKey key: String) -> String? {
        if prefix.isEmpty { return key }
        return key.hasPrefix(prefix + "/") ? String(key.dropFirst(prefix.count + 1)) : nil
    }

    /// The host header value and the URL of a request on `key` (nil: the bucket itself) with `query` items already in
    /// S3's encoding.
    func url(key: String?, query: [(String, String)] = []) -> (host: String, url: URL) {
        let scheme = endpoint.scheme!.lowercased()
        let defaultPort = scheme == "https" ? 443 : 80
        let port = endpoint.port.flatMap { $0 == defaultPort ? nil : $0 }
        let baseHost = endpoint.host!
        let host = (pathStyle ? baseHost : bucket + "." + baseHost) + (port.map { ":\($0)" } ?? "")
        var path = pathStyle ? "/" + bucket : ""
        path += "/" + (key.map { SigV4Signer.uriEncode($0, encodeSlash: false) } ?? "")
        var text = "\(scheme)://\(host)\(path)"
        if !query.isEmpty {
            text += "?" + query.map { "\(SigV4Signer.uriEncode($0.0, encodeSlash: true))=\(SigV4Signer.uriEncode($0.1, encodeSlash: true))" }.joined(separator: "&")
        }
        return (host, URL(string: text)!)
    }
}
