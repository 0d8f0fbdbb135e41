import AsyncHTTPClient
import Catalog
import Foundation
import Logging

/// Streams a remote file to a staging file, hashing it on the way, resuming a dropped transfer with
/// `Range` + `If-Range`, and refusing what it must not fetch before any connection is made.
///
/// The `HTTPClient` must not follow redirects itself (`redirectConfiguration: .disallow`): the downloader
/// follows up to ``DownloadConfiguration/maxRedirects`` after checking each target against the allow-list.
/// Redirects a client followed on its own are still checked, but only after the fact.
public struct Downloader: Sendable {
    let httpClient: HTTPClient
    let configuration: DownloadConfiguration
    let logger: Logger

    public init(httpClient: HTTPClient, configuration: DownloadConfiguration = DownloadConfiguration(), logger: Logger) {
        self.httpClient = httpClient
        self.configuration = configuration
        self.logger = logger
    }

    /// Downloads `url` into `stagingFile` (created or truncated) and flushes it to disk.
    ///
    /// With `keepingPartial`, the file survives a restart of the process: a sidecar `<file>.json` beside it keeps the
    /// URL (without query string), the validators and the bytes fsynced at the last checkpoint, and the next download
    /// of the same URL into the same file asks only for the rest (`Range` + `If-Range`); a server that answers 200
    /// (the file changed) starts it over. The caller removes the sidecar once the file is committed.
    ///
    /// - Parameter progress: called with the bytes on disk and the total when known; restarts go back to 0.
    /// - Parameter retrying: told before each further attempt, with the attempt to come, the attempts allowed, the bytes
    ///   kept on disk (resumed from) and why the last one ended (a stall, a cut connection).
    /// - Throws: ``DownloadError``; on ``DownloadError/isExpired`` query the task again for a fresh URL.
    ///   The staging file is left as it is: the caller owns and removes it.
    public func download(
        from url: String,
        to stagingFile: URL,
        keepingPartial: Bool = false,
        progress: (@Sendable (_ received: Int64, _ total: Int64?) -> Void)? = nil,
        retrying: (@Sendable (_ attempt: Int, _ maxAttempts: Int, _ bytesOnDisk: Int64, _ reason: String) -> Void)? = nil
    ) async throws(DownloadError) -> DownloadResult {
        try configuration.allowedHosts.check(url)
        var logger = self.logger
        logger[metadataKey: "download.url"] = "\(DownloadError.redact(url))"
        let resume = keepingPartial ? await PartialDownload.resumeState(of: stagingFile, url: url) : nil
        if let resume {
            logger.info("resuming a download an earlier process left", metadata: ["download.bytesOnDisk": "\(resume.bytes)"])
        }
        do {
            try await WriteFence.check() // a run that lost its task creates nothing in the task's directory
        } catch {
            throw DownloadError(.cancelled, url: url, reason: "\(error)")
        }
        let file = try StagingFile(url: stagingFile, keptFor: keepingPartial ? url : nil, resume: resume)
        let started = ContinuousClock.now

        var lastFailure: DownloadError?
        for attempt in 1...configuration.maxAttempts {
            if attempt > 1 {
                await backOff(before: attempt)
            }
            if Task.isCancelled {
                throw DownloadError(.cancelled, url: url, reason: "the download was cancelled", attempts: attempt - 1)
            }
            do {
                let transfer = Transfer(downloader: self, url: url, file: file, progress: progress)
                try await withStallTimeout(configuration.readTimeout) { beacon in
                    try await transfer.run(beacon: beacon)
                }
                let (bytes, sha256) = try file.finish()
                let validators = file.validators
                logger.info("downloaded", metadata: [
                    "download.bytes": "\(bytes)", "download.attempts": "\(attempt)",
                    "download.seconds": "\(ContinuousClock.now - started)",
                ])
                return DownloadResult(
                    bytes: bytes, sha256: sha256, etag: validators.etag,
                    lastModified: validators.lastModified, contentType: validators.contentType
                )
            } catch {
                let failure = classify(error, url: url, attempt: attempt)
                guard failure.retryable else { throw failure.error.after(attempts: attempt) }
                // The most telling failure is kept: lengths that do not add up beat a dropped connection.
                if lastFailure?.kind != .lengthMismatch || failure.error.kind == .lengthMismatch {
                    lastFailure = failure.error
                }
                logger.notice("download attempt failed", metadata: [
                    "download.attempt": "\(attempt)", "download.bytesOnDisk": "\(file.bytes)",
                    "download.error": "\(failure.error.reason)",
                ])
                if attempt < configuration.maxAttempts {
                    retrying?(attempt + 1, configuration.maxAttempts, file.bytes, failure.error.reason)
                }
            }
        }
        let last = lastFailure ?? DownloadError(.network, url: url, reason: "no attempt was made")
        throw last.after(attempts: configuration.maxAttempts)
    }

    /// Whether an attempt's error is worth another attempt, as a ``DownloadError``.
    private func classify(_ error: any Error, url: String, attempt: Int) -> (error: DownloadError, retryable: Bool) {
        switch error {
        case let failure as Transfer.Failure:
            return (failure.error, failure.retryable)
        case let failure as DownloadError:
            return (failure, false)
        case let stall as StallTimeout:
            return (DownloadError(.network, url: url, reason: "no data for \(stall.silence)"), true)
        case let fenced as any FenceError:
            return (DownloadError(.cancelled, url: url, reason: "\(fenced)"), false)
        case is CancellationError where Task.isCancelled:
            return (DownloadError(.cancelled, url: url, reason: "the download was cancelled"), false)
        default:
            return (DownloadError(.network, url: url, reason: "\(Self.describe(error))"), true)
        }
    }

    /// Exponential backoff with ±25 % jitter, capped at 8 s.
    private func backOff(before attempt: Int) async {
        let base = configuration.retryBaseDelay * (1 << min(attempt - 2, 10))
        let capped = min(base, .seconds(8))
        let jittered = capped * Double.random(in: 0.75...1.25)
        try? await Task.sleep(for: jittered)
    }

    /// An error's text without any URL it may carry (AHC errors can include the request URL).
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.replacing(/https?:\/\/\S+/, with: { match in DownloadError.redact(String(match.output)) })
    }
}
