import Foundation
import ReelPostgres

/// `REEL_DATABASE_URL` (flag `--database-url` of `reel serve` and `reel db`): where shared state lives. Unset: the
/// embedded files under the storage root. The password (in the URL, `PGPASSWORD` or `~/.pgpass`) is never printed.
struct DatabaseConfiguration: Sendable {
    var settings: DatabaseSettings?
    /// `REEL_LEASE`: a claimed job's lease in decimal seconds (default 30, at least 1), renewed every third of it.
    var lease: Duration = .seconds(30)

    init(settings: DatabaseSettings? = nil) {
        self.settings = settings
    }

    /// Reads `REEL_DATABASE_URL` (or `--database-url`) and `REEL_LEASE` (or `reel serve --lease`).
    init(reader: ConfigurationReader, flags: DatabaseOptions?, leaseFlag: Double? = nil) throws(ConfigurationError) {
        if let url = reader.text("REEL_DATABASE_URL", flag: flags?.databaseURL) {
            settings = try Self.settings(url: url, setting: "REEL_DATABASE_URL")
        }
        if let lease = try reader.duration("REEL_LEASE", Settings.lease, flag: leaseFlag) { self.lease = lease }
    }

    /// The settings of a `postgres://` URL (password also from `PGPASSWORD` or `~/.pgpass`); `setting` names it in the error.
    static func settings(url: String, setting: String) throws(ConfigurationError) -> DatabaseSettings {
        do {
            return try DatabaseSettings(url: url, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ConfigurationError.refused(setting, "is not usable: \(error.description)")
        }
    }
}
