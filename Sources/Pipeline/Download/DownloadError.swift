import Foundation
import ReelBasics

/// Why a download failed. Its description names the URL without its query string (signed URLs are secrets)
/// and says what to do.
public struct DownloadError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; compare with the static members (`error.kind == .expired`).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: Hashable {
            case expired, refusedScheme, refusedHost, tooLarge, lengthMismatch, insufficientSpace
            case httpStatus(Int), tooManyRedirects, network, fileSystem, cancelled
        }
        private let code: Code

        /// HTTP 403 or 410: the signed URL expired; query the task again for a fresh one.
        public static let expired = Kind(code: .expired)
        /// Not `http`/`https`.
        public static let refusedScheme = Kind(code: .refusedScheme)
        /// Host not on the allow-list, userinfo in the URL, or a private address.
        public static let refusedHost = Kind(code: .refusedHost)
        /// Announced or streamed past the size cap.
        public static let tooLarge = Kind(code: .tooLarge)
        /// The server's lengths contradict each other or the body.
        public static let lengthMismatch = Kind(code: .lengthMismatch)
        /// Not enough free space on the staging volume.
        public static let insufficientSpace = Kind(code: .insufficientSpace)
        /// An HTTP status that is neither success, expiry nor worth retrying (or still failing after the retries).
        public static func httpStatus(_ status: Int) -> Kind { Kind(code: .httpStatus(status)) }
        /// More redirects than allowed.
        public static let tooManyRedirects = Kind(code: .tooManyRedirects)
        /// The network failed on every attempt.
        public static let network = Kind(code: .network)
        /// The staging file could not be written.
        public static let fileSystem = Kind(code: .fileSystem)
        /// The calling task was cancelled.
        public static let cancelled = Kind(code: .cancelled)

        /// The status of an ``httpStatus(_:)`` kind.
        public var httpStatus: Int? {
            if case .httpStatus(let status) = code { status } else { nil }
        }

        public var description: String {
            switch code {
            case .httpStatus(let status): "httpStatus(\(status))"
            default: "\(code)"
            }
        }
    }

    public let kind: Kind
    /// The URL without query string, fragment or userinfo.
    public let url: String
    /// What happened, in a sentence, without secrets.
    public let reason: String
    /// Requests made before giving up (0 when refused before any connection).
    public let attempts: Int

    /// The caller should query the task again for a fresh URL and retry.
    public var isExpired: Bool { kind == .expired }

    init(_ kind: Kind, url: String, reason: String, attempts: Int = 0) {
        self.kind = kind
        self.url = Self.redact(url)
        self.reason = reason
        self.attempts = attempts
    }

    func after(attempts: Int) -> DownloadError {
        DownloadError(kind, url: url, reason: reason, attempts: attempts)
    }

    public var description: String {
        let tried = attempts > 1 ? " after \(attempts) attempts" : ""
        return "download of \(url) failed\(tried): \(reason). \(advice)"
    }

    private var advice: String {
        switch kind {
        case .expired: "The signed URL has expired: query the task again for a fresh URL."
        case .refusedScheme: "Only http and https URLs are downloaded."
        case .refusedHost: "Add the host to the download allow-list if it is trusted."
        case .tooLarge: "Raise the download size cap if the file is expected to be this large."
        case .lengthMismatch: "The server's lengths do not add up; try again later or report it upstream."
        case .insufficientSpace: "Free some space on the storage volume and run again."
        case .tooManyRedirects: "The server redirects too often; check the URL."
        case .network: "Check the network and run again; the download will start over."
        case .fileSystem: "Check the storage directory's permissions and disk."
        case .cancelled: "Run again to finish."
        default: "Run again later; if it persists, the file may be gone upstream."
        }
    }

    /// `url` without its query string, fragment and userinfo.
    public static func redact(_ url: String) -> String { redactedURL(url) }
}
