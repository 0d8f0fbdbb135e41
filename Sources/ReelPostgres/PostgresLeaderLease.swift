import Foundation
import Logging
import Pipeline
import PostgresNIO
import ReelBasics

/// The ``LeaderLease`` in PostgreSQL (`reel_leaders`): one row per lease, taken when free or expired by the
/// database clock, extended by its holder. A row, not a session advisory lock: a paused process would hold an advisory
/// lock as long as its connection lives; a row's lease expires.
public struct PostgresLeaderLease: LeaderLease {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger = Logger(label: "reelvault.leader")) {
        self.client = client
        self.logger = logger
    }

    public func acquire(_ name: String, holder: String, for duration: Duration) async throws -> Bool {
        try LeaderLeaseError.check(name)
        let seconds = max(1, duration.inSeconds)
        let rows = try await client.query("""
            INSERT INTO reel_leaders (name, holder, expires_at) VALUES (\(name), \(holder), now() + make_interval(secs => \(seconds)))
            ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
                term = reel_leaders.term + CASE WHEN reel_leaders.holder = EXCLUDED.holder THEN 0 ELSE 1 END
            WHERE reel_leaders.holder = EXCLUDED.holder OR reel_leaders.expires_at < now()
            RETURNING holder
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    public func release(_ name: String, holder: String) async throws {
        try await client.query("DELETE FROM reel_leaders WHERE name = \(name) AND holder = \(holder)", logger: logger)
    }

    public func holder(_ name: String) async throws -> String? {
        for try await holder in try await client.query(
            "SELECT holder FROM reel_leaders WHERE name = \(name) AND expires_at >= now()", logger: logger).decode(String.self) {
            return holder
        }
        return nil
    }
}
