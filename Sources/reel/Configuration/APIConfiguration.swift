import Foundation
import ReelBasics
import TopView

/// What the commands that talk to TopView need: the API client's configuration and the downloader's rules.
///
/// The key is kept inside ``TopViewConfiguration``, whose `description` and mirror redact it.
struct APIConfiguration: Sendable {
    var topView: TopViewConfiguration
    /// `REEL_ALLOWED_HOSTS`: download hosts besides the vendor's storage and the API's own host.
    var extraHosts: [String]
    /// `REEL_MIN_FREE_MB` in bytes (at most 16 TiB, so the shift never overflows); nil for the downloader's default.
    var minFreeBytes: Int64?

    init(topView: TopViewConfiguration = TopViewConfiguration(), extraHosts: [String] = [], minFreeBytes: Int64? = nil) {
        self.topView = topView
        self.extraHosts = extraHosts
        self.minFreeBytes = minFreeBytes
    }

    /// Reads the API and download settings; each is checked here, before any request.
    ///
    /// - `--base-url` / `TOPVIEW_BASE_URL`: the API's origin (default `https://api.topview.ai`): `https://`, or
    ///   `http://` only to a loopback host; never link-local (``TopViewConfiguration/baseURLProblem``).
    /// - `TOPVIEW_API_KEY`: the bearer token (required; only from the environment, so it never shows in `ps`).
    /// - `--uid` / `TOPVIEW_UID`: sent as `Topview-Uid`.
    /// - `TOPVIEW_RETRY_POLICY`: `standard` (default), `fast` (millisecond waits, for the sandbox and tests) or `none`.
    /// - `REEL_ALLOWED_HOSTS`: extra download hosts, comma-separated (`*.example.com` allowed).
    /// - `REEL_MIN_FREE_MB`: free space a download must leave on the storage volume (``Settings/minFreeMB``).
    init(reader: ConfigurationReader, flags: APIOptions) throws(ConfigurationError) {
        var topView = TopViewConfiguration()
        if let baseURL = reader.text("TOPVIEW_BASE_URL", flag: flags.baseURL)?.trimmingCharacters(in: .whitespacesAndNewlines) {
            topView.baseURL = baseURL
        }
        if let problem = topView.baseURLProblem {
            let name = flags.baseURL == nil ? "TOPVIEW_BASE_URL" : "--base-url"
            throw .refused(name, "\(problem) (got '\(SafeText.escape(redactedURL(topView.baseURL), limit: 128))')")
        }
        if let name = reader.text("TOPVIEW_RETRY_POLICY") {
            guard let policy = RetryPolicy.named(name.trimmingCharacters(in: .whitespaces)) else {
                throw .invalid("TOPVIEW_RETRY_POLICY", mustBe: "standard, fast or none", got: name)
            }
            topView.retry = policy
        }
        guard let key = reader.text("TOPVIEW_API_KEY")?.trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw ConfigurationError(setting: "TOPVIEW_API_KEY", message: "no API key: set TOPVIEW_API_KEY "
                                     + "(for the local sandbox any value works, e.g. TOPVIEW_API_KEY=sandbox)")
        }
        topView.apiKey = key
        topView.uid = reader.text("TOPVIEW_UID", flag: flags.uid)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let minFreeMB = try reader.number("REEL_MIN_FREE_MB", Settings.minFreeMB)
        self.init(topView: topView, extraHosts: reader.list("REEL_ALLOWED_HOSTS"), minFreeBytes: minFreeMB.map { $0 << 20 })
    }
}
