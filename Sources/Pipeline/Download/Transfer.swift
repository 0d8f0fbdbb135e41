import AsyncHTTPClient
import Catalog
import Foundation

/// One attempt at a download: a request (following allowed redirects), the status checks, and the body
/// streamed into the staging file — resuming from the bytes on disk when it can.
struct Transfer: Sendable {
    /// An attempt's failure, with whether another attempt may help.
    struct Failure: Error {
        let error: DownloadError
        let retryable: Bool
    }

    let downloader: Downloader
    let url: String
    let file: StagingFile
    let progress: (@Sendable (Int64, Int64?) -> Void)?

    private var configuration: DownloadConfiguration { downloader.configuration }

    func run(beacon: ProgressBeacon) async throws {
        var target = url
        var redirects = 0
        while true {
            // A run whose job or task lock was lost (paused past its lease) touches neither the partial file nor its
            // sidecar again: the new holder may be resuming them.
            try await WriteFence.check()
            let offset = try resumeOffset()
            var request = HTTPClientRequest(url: target)
            request.method = .GET
            request.headers.add(name: "User-Agent", value: "ReelVault")
            request.headers.add(name: "Accept-Encoding", value: "identity")
            if offset > 0, let validator = file.validators.ifRange {
                request.headers.add(name: "Range", value: "bytes=\(offset)-")
                request.headers.add(name: "If-Range", value: validator)
            }
            let timeout = configuration.transferTimeout.components
            let response = try await downloader.httpClient.execute(request, timeout: .seconds(timeout.seconds))
            beacon.touch()
            try checkFollowedRedirects(response)

            let status = Int(response.status.code)
            guard [301, 302, 303, 307, 308].contains(status) else {
                try await receive(response, status: status, offset: offset, beacon: beacon)
                return
            }
            guard redirects < configuration.maxRedirects else {
                throw failure(.tooManyRedirects, "more than \(configuration.maxRedirects) redirects", retryable: false)
            }
            guard let location = response.headers.first(name: "Location"),
                let next = URL(string: location, relativeTo: URL(string: target))?.absoluteURL.absoluteString
            else {
                throw failure(.httpStatus(status), "a redirect without a usable Location", retryable: false)
            }
            do {
                try configuration.allowedHosts.check(next)
            } catch {
                throw Failure(error: DownloadError(error.kind, url: url, reason: "redirected to \(DownloadError.redact(next)): \(error.reason)"), retryable: false)
            }
            redirects += 1
            target = next
        }
    }

    /// Where this attempt starts: the bytes on disk when they can be resumed safely, else 0 (after a restart).
    private func resumeOffset() throws(DownloadError) -> Int64 {
        let bytes = file.bytes
        guard bytes > 0 else { return 0 }
        guard file.validators.ifRange != nil else {
            // Without a validator, a resume could join two different files: start over.
            try file.restart()
            return 0
        }
        return bytes
    }

    private func receive(_ response: HTTPClientResponse, status: Int, offset: Int64, beacon: ProgressBeacon) async throws {
        // Before anything is truncated, restarted or recorded: this process may have been paused past its lease while
        // it waited for the response.
        try await WriteFence.check()
        let headers = response.headers
        var validators = StagingFile.Validators(
            etag: headers.first(name: "ETag"), lastModified: headers.first(name: "Last-Modified"),
            contentType: headers.first(name: "Content-Type")
        )
        let contentLength = headers.first(name: "Content-Length").flatMap { Int64($0) }
        switch status {
        case 200:
            // A whole file: either the first request, or the server ignored the Range because the file changed
            // (If-Range mismatch). Either way, nothing on disk belongs to it.
            if offset > 0 {
                downloader.logger.notice("server sent the whole file instead of resuming; starting over",
                    metadata: ["download.url": "\(DownloadError.redact(url))", "download.discarded": "\(offset)"])
            }
            try file.restart()
            validators.total = contentLength
        case 206:
            guard offset > 0, let range = ContentRange(headers.first(name: "Content-Range") ?? "") else {
                try file.restart()
                throw failure(.httpStatus(206), "a partial response that was not asked for", retryable: true)
            }
            let previous = file.validators
            guard validators.etag == nil || previous.etag == nil || validators.etag == previous.etag else {
                try file.restart()
                throw failure(.network, "the file changed during the resume (ETag \(previous.etag ?? "") became \(validators.etag ?? ""))", retryable: true)
            }
            guard range.start == offset, range.total == nil || previous.total == nil || range.total == previous.total else {
                try file.restart()
                throw failure(.lengthMismatch, "the server resumed at the wrong place (\(range))", retryable: true)
            }
            validators.total = range.total ?? previous.total
            if let contentLength, let end = range.end, contentLength != end - range.start + 1 {
                throw failure(.lengthMismatch, "Content-Length \(contentLength) disagrees with \(range)", retryable: false)
            }
        case 403, 410:
            throw failure(.expired, "HTTP \(status)", retryable: false)
        case 416:
            let total = ContentRange(headers.first(name: "Content-Range") ?? "")?.total
            let expected = file.validators.total
            try file.restart()
            if let total, let expected, total != expected {
                // A liar, or a file that changed without honouring If-Range: start over, and say so if it lasts.
                throw failure(.lengthMismatch, "the server announced \(expected) bytes, then said the file has \(total)", retryable: true)
            }
            throw failure(.httpStatus(416), "the server refused to resume at byte \(offset)", retryable: true)
        case 408, 429, 500...599:
            throw failure(.httpStatus(status), "HTTP \(status)", retryable: true)
        default:
            throw failure(.httpStatus(status), "HTTP \(status)", retryable: false)
        }
        try file.setValidators(validators)
        try checkSpace(total: validators.total)

        let total = validators.total
        var received = file.bytes
        progress?(received, total)
        // Asked again while the body comes (a pause can come at any chunk).
        let fence = WriteFence.Throttled()
        for try await chunk in response.body {
            beacon.touch()
            try await fence.check()
            let after = received + Int64(chunk.readableBytes)
            if after > configuration.maxBytes {
                throw failure(.tooLarge, "the body passed the cap of \(configuration.maxBytes) bytes", retryable: false)
            }
            if let total, after > total {
                throw failure(.lengthMismatch, "the body is longer than the \(total) bytes announced", retryable: false)
            }
            received = try chunk.withUnsafeReadableBytes { buffer throws(DownloadError) in try file.append(buffer) }
            progress?(received, total)
        }
        if let total, received < total {
            throw failure(.lengthMismatch, "the body ended after \(received) of \(total) bytes", retryable: true)
        }
    }

    /// Refuses an announced size over the cap, or one the volume cannot hold with the configured headroom.
    private func checkSpace(total: Int64?) throws(Failure) {
        if let total, total > configuration.maxBytes {
            throw failure(.tooLarge, "the file has \(total) bytes, over the cap of \(configuration.maxBytes)", retryable: false)
        }
        let remaining = max(0, (total ?? 0) - file.bytes)
        if let available = file.availableSpace(), available < remaining + configuration.minFreeBytes {
            throw failure(.insufficientSpace,
                "\(remaining) bytes to write and \(configuration.minFreeBytes) to keep free, but only \(available) available",
                retryable: false)
        }
    }

    /// Redirects the client followed by itself must have stayed on the allow-list too.
    private func checkFollowedRedirects(_ response: HTTPClientResponse) throws(Failure) {
        for step in response.history.dropFirst() {
            do {
                try configuration.allowedHosts.check(step.request.url)
            } catch {
                throw Failure(error: error, retryable: false)
            }
        }
    }

    private func failure(_ kind: DownloadError.Kind, _ reason: String, retryable: Bool) -> Failure {
        Failure(error: DownloadError(kind, url: url, reason: reason), retryable: retryable)
    }
}
