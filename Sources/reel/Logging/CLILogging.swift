import Foundation
import Logging
import Synchronization

/// swift-log for the CLI: lines on stderr at the configured level (``LoggingConfiguration``: `$REEL_LOG_LEVEL`, else
/// the command's default: warning, as the CLI prints its own events; info for `reel serve`). Every line goes through
/// ``NeutralizingLogHandler``, so no logged value can forge a line.
enum CLILogging {
    private static let bootstrapped = Mutex(false)

    /// Installs the handler at `level`, once per process; ``ReelCommand`` calls it at start with the configured
    /// level. A later call (or a ``logger(_:)`` before any) keeps what was installed first.
    static func bootstrap(level: Logger.Level) {
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return NeutralizingLogHandler(handler)
            }
        }
    }

    /// `logger` for a library's background chatter (connection pools): errors only.
    static func quiet(_ logger: Logger) -> Logger {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .error)
        return quiet
    }

    static func logger(_ label: String) -> Logger {
        bootstrap(level: .warning)
        return Logger(label: label)
    }
}
