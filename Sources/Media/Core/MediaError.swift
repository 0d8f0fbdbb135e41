import Foundation

/// An error from the media engine. The code says what went wrong; `description` says what to do.
public struct MediaError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable, Codable {
        /// The file could not be opened as media (not a video, or damaged beyond reading its headers).
        case notMedia
        /// The file has no video stream.
        case noVideoStream
        /// No decoder or encoder is available for a codec.
        case codecUnavailable
        /// A preset name could not be parsed.
        case invalidPreset
        /// An output failed its check after writing (duration or dimensions).
        case outputCheckFailed
        /// A file system operation failed.
        case io
        /// The volume is full or the quota is spent (ENOSPC, EDQUOT), whichever call saw it: the environment, not the
        /// media. Make room and run again; the source is not at fault.
        case noSpace
        /// The operation was cancelled.
        case cancelled
        /// Any other FFmpeg failure.
        case ffmpeg
    }

    public let code: Code
    /// What happened, in words.
    public let message: String
    /// FFmpeg's error number when one was returned (negative AVERROR value).
    public let averror: Int32?

    /// An error of `code`, unless `averror` says the volume is full (then ``Code/noSpace``, whatever the call).
    init(_ code: Code, _ message: String, averror: Int32? = nil) {
        self.code = averror.map(Self.isNoSpace) == true && code != .cancelled ? .noSpace : code
        self.message = message
        self.averror = averror
    }

    /// A failed file write or directory creation made with Foundation or a POSIX call: ``Code/noSpace`` when its
    /// errno is ENOSPC or EDQUOT, ``Code/io`` otherwise.
    static func writing(_ what: String, _ error: any Error) -> MediaError {
        let code = posixCode(of: error)
        let averror = code.map { -$0 }
        return MediaError(.io, "\(what): \((error as NSError).localizedDescription)", averror: averror)
    }

    /// A failed POSIX call with `errno` `code`.
    static func writing(_ what: String, errno code: Int32) -> MediaError {
        MediaError(.io, "\(what): \(String(cString: strerror(code)))", averror: -code)
    }

    /// AVERROR(ENOSPC) or AVERROR(EDQUOT): FFmpeg's error numbers are negated errnos.
    static func isNoSpace(_ averror: Int32) -> Bool {
        averror == -ENOSPC || averror == -EDQUOT
    }

    /// The errno inside a Foundation error (POSIX domain, or the underlying error of a Cocoa one), if any.
    private static func posixCode(of error: any Error) -> Int32? {
        var current: NSError? = error as NSError
        while let ns = current {
            if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
            if ns.domain == NSCocoaErrorDomain, ns.code == CocoaError.fileWriteOutOfSpace.rawValue { return ENOSPC }
            current = ns.userInfo[NSUnderlyingErrorKey] as? NSError
        }
        return nil
    }

    public var description: String {
        switch code {
        case .notMedia:
            return "\(message): not a readable media file (check that it is a complete MP4/MOV/MKV; re-download it if it was cut short)"
        case .noVideoStream:
            return "\(message): the file has no video stream"
        case .codecUnavailable:
            return "\(message): install FFmpeg with this codec enabled (Debian: apt-get install libavcodec-extra)"
        case .invalidPreset:
            return "\(message) (presets look like 720p, 480p, 1x1-720p-crop, 16x9-480p-pad, 9x16-720p-pad)"
        case .noSpace:
            return "\(message): the volume is full; free some space and run again (the source is not at fault)"
        case .outputCheckFailed, .io, .cancelled, .ffmpeg:
            return message
        }
    }
}
