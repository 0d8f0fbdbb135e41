/// Ends the process with a ReelVault exit code and a message on stderr.
struct ReelExit: Error {
    var code: Int32
    var message: String

    static let ok: Int32 = 0
    static let attention: Int32 = 1
    static let usage: Int32 = 2
    static let notSettled: Int32 = 3
    static let unavailable: Int32 = 4
    /// Stopped by Ctrl-C (SIGINT) or SIGTERM, as shells report a signal: 128 + 2.
    static let interrupted: Int32 = 130

    static func usage(_ message: String) -> ReelExit { ReelExit(code: usage, message: "error: " + message) }
}

extension ReelExit {
    /// A setting that does not fit is a usage error (exit 2): `error: REEL_WORKERS must be …`.
    init(_ error: ConfigurationError) {
        self = .usage(error.message)
    }
}
