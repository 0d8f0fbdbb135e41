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

    init(_ code: Code, _ message: String, averror: Int32? = nil) {
        self.code = code
        self.message = message
        self.averror = averror
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
        case .outputCheckFailed, .io, .cancelled, .ffmpeg:
            return message
        }
    }
}
