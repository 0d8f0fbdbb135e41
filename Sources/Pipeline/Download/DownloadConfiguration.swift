/// How the ``Downloader`` fetches a file: which hosts it may contact and the limits it enforces.
public struct DownloadConfiguration: Sendable {
    /// Hosts a URL (and every redirect target) must be on.
    public var allowedHosts: HostAllowList
    /// Largest file accepted, announced or streamed (default 8 GiB).
    public var maxBytes: Int64
    /// Requests made for one file before giving up, resumes included (default 5).
    public var maxAttempts: Int
    /// Longest silence tolerated while waiting for the response head or the next body chunk (default 30 s).
    public var readTimeout: Duration
    /// Longest time one request may take from start to last byte (default 6 h).
    public var transferTimeout: Duration
    /// Free space that must remain on the staging volume once the file is written (default 256 MiB).
    public var minFreeBytes: Int64
    /// First delay between attempts; doubled for each further attempt, capped at 8 s, with jitter (default 250 ms).
    public var retryBaseDelay: Duration
    /// Redirects followed for one request, each target checked against ``allowedHosts`` (default 3).
    public var maxRedirects: Int

    public init(
        allowedHosts: HostAllowList = HostAllowList(),
        maxBytes: Int64 = 8 << 30,
        maxAttempts: Int = 5,
        readTimeout: Duration = .seconds(30),
        transferTimeout: Duration = .seconds(6 * 3600),
        minFreeBytes: Int64 = 256 << 20,
        retryBaseDelay: Duration = .milliseconds(250),
        maxRedirects: Int = 3
    ) {
        self.allowedHosts = allowedHosts
        self.maxBytes = maxBytes
        self.maxAttempts = max(1, maxAttempts)
        self.readTimeout = readTimeout
        self.transferTimeout = transferTimeout
        self.minFreeBytes = minFreeBytes
        self.retryBaseDelay = retryBaseDelay
        self.maxRedirects = max(0, maxRedirects)
    }
}
