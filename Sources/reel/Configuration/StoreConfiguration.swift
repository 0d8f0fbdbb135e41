import Foundation
import ObjectStore

/// Where the catalog's files live: the storage root (the default), or an S3-compatible object store.
///
/// - `--store-url` / `REEL_STORE_URL`: `file:///PATH` (the storage root is PATH) or `s3://BUCKET[/PREFIX]`. S3 needs
///   `REEL_DATABASE_URL` (checked by ``ReelConfiguration``).
/// - `--s3-endpoint` / `REEL_S3_ENDPOINT`: `https://…` (`http://` only for a loopback host); default AWS's regional
///   endpoint. `--s3-path-style` / `REEL_S3_PATH_STYLE`: `1` path-style, `0` virtual-hosted (default).
/// - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (both required with S3), `AWS_SESSION_TOKEN`, `AWS_REGION` (default
///   `us-east-1`). Never fetched from an instance metadata service; the secret is never logged or printed.
/// - `--scratch` / `REEL_SCRATCH`: local working directory for staging and fetched files (default: a folder in the
///   system temp dir).
struct StoreConfiguration: Sendable, Equatable {
    enum Backend: Sendable, Equatable {
        case local
        case s3(S3Location, S3Credentials)
    }

    var backend: Backend = .local
    var scratch: URL = FileManager.default.temporaryDirectory.appendingPathComponent("reelvault-scratch-\(getuid())", isDirectory: true)
    /// The root a `file://` store URL names, when it gave one.
    var fileRoot: URL?

    init() {}

    init(reader: ConfigurationReader, flags: StoreOptions?) throws(ConfigurationError) {
        if let scratch = reader.text("REEL_SCRATCH", flag: flags?.scratch) {
            self.scratch = URL(fileURLWithPath: scratch, isDirectory: true).standardizedFileURL
        }
        guard let store = reader.text("REEL_STORE_URL", flag: flags?.storeURL) else { return }
        let name = flags?.storeURL != nil ? "--store-url" : "REEL_STORE_URL"
        if store.hasPrefix("file://") {
            guard let url = URL(string: store), url.isFileURL, url.host == nil || url.host == "" || url.host == "localhost",
                  url.path.hasPrefix("/") else {
                throw .invalid(name, mustBe: "file:///ABSOLUTE/PATH or s3://BUCKET[/PREFIX]", got: store, limit: 200)
            }
            fileRoot = URL(fileURLWithPath: url.path, isDirectory: true).standardizedFileURL
            return
        }
        guard store.hasPrefix("s3://") else {
            throw .invalid(name, mustBe: "file:///ABSOLUTE/PATH or s3://BUCKET[/PREFIX]", got: store, limit: 200)
        }
        let region = reader.text("AWS_REGION") ?? reader.text("AWS_DEFAULT_REGION") ?? "us-east-1"
        let endpoint = reader.text("REEL_S3_ENDPOINT", flag: flags?.s3Endpoint) ?? "https://s3.\(region).amazonaws.com"
        let pathStyle: Bool
        if let flag = flags?.s3PathStyle {
            guard flag == "1" || flag == "0" else { throw .invalid("--s3-path-style", mustBe: "1 or 0", got: flag) }
            pathStyle = flag == "1"
        } else {
            pathStyle = try reader.bool("REEL_S3_PATH_STYLE")
        }
        guard let key = reader.text("AWS_ACCESS_KEY_ID"), let secret = reader.text("AWS_SECRET_ACCESS_KEY") else {
            throw .refused("AWS_ACCESS_KEY_ID", "and AWS_SECRET_ACCESS_KEY must be set with an s3:// store (credentials are read from the environment only, never from an instance metadata service)")
        }
        do {
            let location = try S3Location(store: store, endpoint: endpoint, pathStyle: pathStyle, region: region)
            backend = .s3(location, S3Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: reader.text("AWS_SESSION_TOKEN")))
        } catch {
            let setting = error.name == "REEL_STORE_URL" ? name : error.name
            throw ConfigurationError(setting: setting, message: setting + error.description.dropFirst(error.name.count))
        }
    }

    var isRemote: Bool {
        if case .s3 = backend { true } else { false }
    }
}
