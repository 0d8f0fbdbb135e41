import Foundation
import PostgresNIO
import ReelBasics

/// Where the shared state lives: `REEL_DATABASE_URL`, parsed once.
///
/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|require|verify-full]` (`postgresql://` too;
/// user, password and database percent-decoded). The password may instead come from `PGPASSWORD` or a `~/.pgpass`
/// line (`host:port:database:user:password`, `*` matching anything). It is never printed: ``description`` leaves it
/// out. `sslmode` defaults to `verify-full`, except on a loopback host, where it defaults to `disable`.
public struct DatabaseSettings: Sendable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    var password: String?

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Parses `url`; `environment` gives `PGPASSWORD`/`HOME`. The error message never holds the password.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Invalid) {
        let usage = "REEL_DATABASE_URL must look like postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require|verify-full]"
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql" else { throw Invalid(description: usage) }
        guard let host = components.host, !host.isEmpty else { throw Invalid(description: "\(usage): the host is missing") }
        guard let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
            throw Invalid(description: "\(usage): the user is missing")
        }
        let database = String(components.percentEncodedPath.dropFirst()).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else { throw Invalid(description: "\(usage): the database is missing") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw Invalid(description: "\(usage): the port must be 1…65535") }
        var sslMode: SSLMode = Self.isLoopback(host) ? .disable : .verifyFull
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw Invalid(description: "\(usage): unknown parameter \(item.name.prefix(32))")
            }
            guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                throw Invalid(description: "\(usage): sslmode must be one of disable, require, verify-full")
            }
            sslMode = mode
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.user = user
        self.database = database
        self.sslMode = sslMode
        self.password = components.percentEncodedPassword?.removingPercentEncoding
            ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.pgpass(environment: environment, host: self.host, port: port, database: database, user: user)
    }

    /// `user@host:port/database (sslmode)`, without the password.
    public var description: String { "\(user)@\(host):\(port)/\(database) (sslmode=\(sslMode.rawValue))" }

    /// How long a session of ours may sit idle inside a transaction before the server ends it
    /// (`idle_in_transaction_session_timeout`): a process paused (SIGSTOP, a frozen VM) or cut off between two statements
    /// of a transaction would otherwise keep its row and advisory locks for as long as its connection lives, and every
    /// process that needs them would wait forever (a rescuer waiting for the task lock of a paused worker). Our
    /// transactions are a few statements and milliseconds of work between them.
    public static let idleInTransactionTimeout: Duration = .seconds(10)

    /// The longest a statement of ours waits for a lock (`lock_timeout`) before it fails with `lock_not_available`
    /// (55P03), so that no wait is unbounded whatever holds the lock; callers that poll for a lock retry.
    public static let lockTimeout: Duration = .seconds(60)

    /// The client configuration for postgres-nio: at most 16 connections, a 10 s connect timeout, and the session
    /// settings above (startup parameters, so every connection of the pool has them).
    public func clientConfiguration(idleInTransactionTimeout: Duration = Self.idleInTransactionTimeout,
                                    lockTimeout: Duration = Self.lockTimeout) throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case .disable:
            tls = .disable
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tls = .require(configuration)
        case .verifyFull:
            tls = .require(TLSConfiguration.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                                         database: database, tls: tls)
        configuration.options.maximumConnections = 16
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [
            ("idle_in_transaction_session_timeout", "\(max(1, idleInTransactionTimeout.inMilliseconds))ms"),
            ("lock_timeout", "\(max(1, lockTimeout.inMilliseconds))ms"),
        ]
        return configuration
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    /// The password of the first matching `~/.pgpass` line (libpq's rules: `*` matches anything, `\:` and `\\`
    /// escape), or nil. A file readable by others is ignored, as libpq does.
    static func pgpass(environment: [String: String], host: String, port: Int, database: String, user: String) -> String? {
        let path = environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
        // As libpq: a ~/.pgpass that is missing, unreadable or not private gives no password (the server then says so).
        guard let path, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = attributes[.posixPermissions] as? Int, mode & 0o077 == 0,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = splitFields(line)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    private static func splitFields(_ line: Substring) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for c in line {
            if escaped { current.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == ":" {
                fields.append(current); current = ""
            } else { current.append(c) }
        }
        fields.append(current)
        return fields
    }
}

extension PSQLError {
    /// A statement that waited longer than `lock_timeout` for a lock (SQLSTATE 55P03, `lock_not_available`).
    public var isLockNotAvailable: Bool { serverInfo?[.sqlState] == "55P03" }
}
