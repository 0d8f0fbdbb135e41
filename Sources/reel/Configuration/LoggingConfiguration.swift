import Logging

/// Where log lines go and how many: swift-log lines on stderr (``CLILogging``), FFmpeg's own warnings.
struct LoggingConfiguration: Sendable, Equatable {
    /// `REEL_LOG_LEVEL`; nil when unset: the command's default (warning; info for `reel serve`).
    var level: Logger.Level?
    /// `REEL_FFMPEG_VERBOSE=1`: show FFmpeg's own warnings.
    var ffmpegVerbose: Bool

    init(level: Logger.Level? = nil, ffmpegVerbose: Bool = false) {
        self.level = level
        self.ffmpegVerbose = ffmpegVerbose
    }

    /// Reads the logging settings (every command; a bad level stops any command with exit 2).
    ///
    /// - `REEL_LOG_LEVEL`: `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical` (any case).
    /// - `REEL_FFMPEG_VERBOSE`: `1` turns FFmpeg's own log on; anything else leaves it off.
    init(reader: ConfigurationReader) throws(ConfigurationError) {
        self.init(level: try reader.logLevel(),
                  ffmpegVerbose: reader.text("REEL_FFMPEG_VERBOSE")?.trimmingCharacters(in: .whitespaces) == "1")
    }
}
