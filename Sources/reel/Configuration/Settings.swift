import ReelBasics
import ReelServer

/// Every numeric flag and variable of `reel`, with its allowed range: the one place the README's settings tables and
/// each `--help` text take their ranges from. Values are parsed by ``NumericSetting`` (decimal only, no trap).
enum Settings {
    // reel archive
    static let pollInterval = NumericSetting.seconds(0.1...3600)
    static let pollTimeout = NumericSetting.seconds(0...86_400)
    static let jobs = NumericSetting.count(1...64)

    // catalog commands and renditions
    static let scriptId = NumericSetting.count(0...2_147_483_647)
    static let listLimit = NumericSetting.count(0...10_000_000)
    static let crf = NumericSetting.count(0...51)

    // reel media
    static let reportedUs = NumericSetting.count64(0...86_400_000_000, unit: "µs")
    static let toleranceMs = NumericSetting.count64(0...3_600_000, unit: "ms")
    static let thumbnailCount = NumericSetting.count(0...1000)
    static let thumbnailSize = NumericSetting.count(16...8192, unit: "px")
    static let stillTime = NumericSetting.seconds(0...86_400)

    // environment of archive and serve
    static let minFreeMB = NumericSetting.count64(0...16_777_216, unit: "MiB")

    // reel serve
    static let concurrency = NumericSetting.count(1...64)
    static let watchInterval = NumericSetting.seconds(0.1...86_400)
    static let watchHorizon = NumericSetting.seconds(0.1...31_536_000)
    static let requestsPerSecond = NumericSetting.decimal(0.01...1000, unit: "/s")
    static let httpTimeout = NumericSetting.seconds(HTTPLimits.timeoutRange)
    static let maxConnections = NumericSetting.count(HTTPLimits.connectionRange)
    static let maxInterruptions = NumericSetting.count(1...1000)
    static let lease = NumericSetting.seconds(1...3600)
}
