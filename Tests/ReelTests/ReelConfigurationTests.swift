import ArgumentParser
import Foundation
import Media
import Pipeline
import ReelBasics
import ReelServer
import Testing
import TopView
@testable import reel

/// The configuration builder in process: flags win over variables, an empty variable is unset, each range holds at
/// both ends, and every refusal has one style (the setting's name first, then what it takes). The binary-spawning
/// suites (`CLISettingsTests`) keep the end-to-end proof that a refusal is exit 2 before anything is created.
@Suite struct ReelConfigurationTests {
    /// What every test starts from: the variables `reel serve` needs, valid.
    /// A loopback base URL: the default one is resolved (its addresses are checked), which needs DNS.
    static let base = ["TOPVIEW_API_KEY": "tvk-SECRET-config", "REEL_CALLBACK_SECRET": "config-secret-0123",
                       "TOPVIEW_BASE_URL": "http://127.0.0.1:9"]

    /// Reads the configuration of a command with every part (storage, API, ladder, serve) from `arguments` (its
    /// flags, as ArgumentParser parses them) over `environment` (added to ``base``; nil removes).
    static func read(_ arguments: [String] = [], _ environment: [String: String?] = [:]) throws -> ReelConfiguration {
        var values = base
        for (name, value) in environment { values[name] = value }
        let command = try ServeCommand.parse(arguments)
        return try ReelConfiguration(reader: ConfigurationReader(values), flags: command.configurationFlags)
    }

    /// The refusal `arguments` and `environment` get, with the setting it names.
    static func refusal(_ arguments: [String] = [], _ environment: [String: String?],
                        sourceLocation: SourceLocation = #_sourceLocation) -> ConfigurationError? {
        do {
            _ = try read(arguments, environment)
            Issue.record("accepted \(arguments) \(environment)", sourceLocation: sourceLocation)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("not a ConfigurationError: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    // MARK: - defaults

    @Test func unsetMeansTheDocumentedDefault() throws {
        let configuration = try Self.read([], ["TOPVIEW_BASE_URL": nil])
        #expect(configuration.logging == LoggingConfiguration(level: nil, ffmpegVerbose: false))
        #expect(configuration.storage.root == URL(fileURLWithPath: "storage", isDirectory: true).standardizedFileURL)
        #expect(configuration.archive.presets == RenditionPreset.defaultLadder)
        #expect(configuration.api.topView.baseURL == "https://api.topview.ai")
        #expect(configuration.api.topView.apiKey == "tvk-SECRET-config")
        #expect(configuration.api.topView.uid == nil)
        #expect(configuration.api.topView.retry == .standard)
        #expect(configuration.api.extraHosts.isEmpty && configuration.api.minFreeBytes == nil)
        #expect(configuration.failpoints.isEmpty)
        let server = configuration.serve.server
        #expect(server.callbackHost == "127.0.0.1" && server.callbackPort == 8081)
        #expect(server.adminHost == "127.0.0.1" && server.adminPort == 8080 && server.adminToken == nil)
        #expect(server.limits.idleTimeout == .seconds(30) && server.limits.headerTimeout == .seconds(10))
        #expect(server.limits.callbackMaxConnections == 512 && server.limits.adminMaxConnections == 64)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(server.service.downloadConcurrency == cores && server.service.mediaConcurrency == cores)
        #expect(server.service.workers == 2 * cores)
        #expect(server.service.watchInterval == .seconds(5) && server.service.maxWatchInterval == .seconds(300))
        #expect(server.service.watchHorizon == .seconds(86_400) && server.service.feederConcurrency == 2)
        #expect(server.service.requestsPerSecond == 2 && server.service.maxInterruptions == 10)
        #expect(server.service.notifyURL == nil && server.service.notifyCommand == nil)
        #expect(!configuration.serve.allowPublicAdmin)
    }

    /// A command without the API's flags does not read the API part: `reel ls` needs no key.
    @Test func aCommandReadsOnlyItsParts() throws {
        let reader = ConfigurationReader(["REEL_STORAGE": "/srv/reel", "TOPVIEW_BASE_URL": "ftp://x/", "REEL_MIN_FREE_MB": "-1",
                                          "REEL_LADDER": "721p", "REEL_WORKERS": "0"])
        let ls = try LsCommand.parse([])
        let configuration = try ReelConfiguration(reader: reader, flags: ls.configurationFlags)
        #expect(configuration.storage.root.path == "/srv/reel")
        #expect(configuration.api.topView.apiKey == nil)
        // …but a bad log level stops every command.
        #expect(throws: ConfigurationError.self) {
            try ReelConfiguration(reader: ConfigurationReader(["REEL_LOG_LEVEL": "loud"]), flags: ls.configurationFlags)
        }
    }

    /// A command with no option group of the configuration's (`reel media …`) reads logging, failpoints and the root.
    @Test func aCommandWithoutConfigurationFlags() throws {
        let reader = ConfigurationReader(["REEL_STORAGE": "/srv/reel", "REEL_FAILPOINT": "archive.polled@2", "TOPVIEW_API_KEY": ""])
        let configuration = try ReelConfiguration(reader: reader)
        #expect(configuration.storage.root.path == "/srv/reel" && configuration.failpoints == ["archive.polled": 2])
    }

    /// The commands that read the root through the configuration take `--storage` over `REEL_STORAGE`, as before.
    @Test func storageCommandsReadTheRootThroughTheConfiguration() throws {
        let reader = ConfigurationReader(["REEL_STORAGE": "/srv/reel", "REEL_LADDER": "721p"])
        let commands: [any ConfiguredCommand] = [
            try VerifyCatalogCommand.parse(["--all"]), try JobsLsCommand.parse([]), try JobsRetryCommand.parse(["--failed"]),
            try JobsCancelCommand.parse(["m2v-t1"]), try WatchAddCommand.parse(["t1"]), try WatchLsCommand.parse([]),
            try WatchRmCommand.parse(["t1"]),
        ]
        for command in commands {
            #expect(try ReelConfiguration(reader: reader, flags: command.configurationFlags).storage.root.path == "/srv/reel")
        }
        let flagged = try WatchLsCommand.parse(["--storage", "/mnt/backup"])
        #expect(try ReelConfiguration(reader: reader, flags: flagged.configurationFlags).storage.root.path == "/mnt/backup")
    }

    /// `reel render` requires `--preset`: the ladder is the flag's (duplicates dropped), checked like `REEL_LADDER`,
    /// and a bad one is refused naming the flag.
    @Test func renderTakesItsLadderFromItsFlag() throws {
        let reader = ConfigurationReader(["REEL_LADDER": "721p"])
        let render = try RenderTaskCommand.parse(["--all", "--preset", "480p,480p"])
        #expect(try ReelConfiguration(reader: reader, flags: render.configurationFlags).archive.presets.map(\.name) == ["480p"])
        let bad = try RenderTaskCommand.parse(["--all", "--preset", "721p"])
        #expect { try ReelConfiguration(reader: ConfigurationReader([:]), flags: bad.configurationFlags) } throws: { error in
            (error as? ConfigurationError)?.setting == "--preset"
        }
    }

    // MARK: - flags win over variables

    @Test func aFlagWinsOverItsVariable() throws {
        let environment: [String: String?] = [
            "REEL_STORAGE": "/from/env", "REEL_LADDER": "480p", "TOPVIEW_BASE_URL": "http://127.0.0.1:1", "TOPVIEW_UID": "env-uid",
            "REEL_WORKERS": "3", "REEL_WATCH_INTERVAL": "7", "REEL_HTTP_IDLE_TIMEOUT": "60", "REEL_CALLBACK_BIND": "127.0.0.1:1",
            "REEL_BIND": "127.0.0.1:2", "REEL_NOTIFY_URL": "http://127.0.0.1/env", "REEL_NOTIFY_COMMAND": "env",
        ]
        let env = try Self.read([], environment)
        #expect(env.storage.root.path == "/from/env" && env.archive.presets.map(\.name) == ["480p"])
        #expect(env.api.topView.baseURL == "http://127.0.0.1:1" && env.api.topView.uid == "env-uid")
        #expect(env.serve.server.service.workers == 3 && env.serve.server.service.watchInterval == .seconds(7))
        #expect(env.serve.server.limits.idleTimeout == .seconds(60))
        #expect(env.serve.server.callbackPort == 1 && env.serve.server.adminPort == 2)
        #expect(env.serve.server.service.notifyURL == "http://127.0.0.1/env" && env.serve.server.service.notifyCommand == "env")

        let flags = try Self.read(["--storage", "/from/flag", "--preset", "720p", "--base-url", "http://localhost:2", "--uid", "flag-uid",
                                   "--workers", "5", "--watch-interval", "0.5", "--http-idle-timeout", "1.25",
                                   "--callback-bind", "127.0.0.1:3", "--bind", "[::1]:4",
                                   "--notify-url", "https://example.com/hook", "--notify-command", "flag"], environment)
        #expect(flags.storage.root.path == "/from/flag" && flags.archive.presets.map(\.name) == ["720p"])
        #expect(flags.api.topView.baseURL == "http://localhost:2" && flags.api.topView.uid == "flag-uid")
        #expect(flags.serve.server.service.workers == 5 && flags.serve.server.service.watchInterval == .milliseconds(500))
        #expect(flags.serve.server.limits.idleTimeout == .milliseconds(1250))
        #expect(flags.serve.server.callbackPort == 3 && flags.serve.server.adminHost == "::1" && flags.serve.server.adminPort == 4)
        #expect(flags.serve.server.service.notifyURL == "https://example.com/hook" && flags.serve.server.service.notifyCommand == "flag")
    }

    @Test func aBadFlagValueIsNamedByTheFlag() {
        #expect(Self.refusal(["--base-url", "http://169.254.169.254/"], [:])?.setting == "--base-url")
        #expect(Self.refusal(["--notify-url", "file:///etc/passwd"], [:])?.setting == "--notify-url")
        #expect(Self.refusal(["--preset", "721p"], [:])?.setting == "--preset")
        // The same values from the variables name the variables.
        #expect(Self.refusal([], ["TOPVIEW_BASE_URL": "http://169.254.169.254/"])?.setting == "TOPVIEW_BASE_URL")
        #expect(Self.refusal([], ["REEL_NOTIFY_URL": "file:///etc/passwd"])?.setting == "REEL_NOTIFY_URL")
        #expect(Self.refusal([], ["REEL_LADDER": "721p"])?.setting == "REEL_LADDER")
        // A numeric flag is checked by its own parser as ArgumentParser reads it, with the same range.
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--workers", "65"]) }
    }

    // MARK: - an empty variable is unset

    @Test(arguments: ["", " ", "\t"])
    func anEmptyVariableIsUnset(_ blank: String) throws {
        let names = ["REEL_STORAGE", "REEL_LADDER", "REEL_LOG_LEVEL", "REEL_MIN_FREE_MB", "REEL_ALLOWED_HOSTS", "TOPVIEW_BASE_URL",
                     "TOPVIEW_UID", "TOPVIEW_RETRY_POLICY", "REEL_CALLBACK_BIND", "REEL_BIND", "REEL_ADMIN_TOKEN",
                     "REEL_ALLOW_PUBLIC_ADMIN", "REEL_WORKERS", "REEL_DOWNLOAD_CONCURRENCY", "REEL_MEDIA_CONCURRENCY",
                     "REEL_WATCH_INTERVAL", "REEL_WATCH_MAX_INTERVAL", "REEL_WATCH_HORIZON", "REEL_WATCH_CONCURRENCY",
                     "REEL_REQUESTS_PER_SECOND", "REEL_HTTP_IDLE_TIMEOUT", "REEL_HTTP_HEADER_TIMEOUT",
                     "REEL_CALLBACK_MAX_CONNECTIONS", "REEL_ADMIN_MAX_CONNECTIONS", "REEL_MAX_INTERRUPTIONS",
                     "REEL_NOTIFY_URL", "REEL_NOTIFY_COMMAND", "REEL_FAILPOINT", "REEL_FFMPEG_VERBOSE"]
        var environment: [String: String?] = [:]
        for name in names { environment[name] = blank }
        let configuration = try Self.read([], environment)
        let defaults = try Self.read([], [:])
        #expect(configuration.logging == defaults.logging && configuration.storage == defaults.storage)
        #expect(configuration.archive == defaults.archive && configuration.failpoints.isEmpty)
        #expect(configuration.api.topView.baseURL == "https://api.topview.ai" && configuration.api.topView.uid == nil)
        #expect(configuration.api.minFreeBytes == nil && configuration.api.extraHosts.isEmpty)
        #expect(configuration.serve.server.adminToken == nil && configuration.serve.server.service.workers == defaults.serve.server.service.workers)
        #expect(configuration.serve.server.service.notifyURL == nil && configuration.serve.server.service.notifyCommand == nil)
        #expect(configuration.serve.server.limits.idleTimeout == .seconds(30))
        // A blank required value is as missing as an absent one.
        #expect(Self.refusal([], ["TOPVIEW_API_KEY": blank])?.setting == "TOPVIEW_API_KEY")
        #expect(Self.refusal([], ["REEL_CALLBACK_SECRET": blank])?.setting == "REEL_CALLBACK_SECRET")
    }

    // MARK: - each range

    /// Each numeric variable: both ends of its range accepted, one past each end and a value out of syntax refused.
    @Test(arguments: [
        ("REEL_MIN_FREE_MB", "0", "16777216", ["-1", "16777217", "1e3", "0x10"]),
        ("REEL_WORKERS", "1", "64", ["0", "65", "1.5", "0x10"]),
        ("REEL_DOWNLOAD_CONCURRENCY", "1", "64", ["0", "65", "1e1"]),
        ("REEL_MEDIA_CONCURRENCY", "1", "64", ["0", "65", "-2"]),
        ("REEL_WATCH_CONCURRENCY", "1", "64", ["0", "65", "two"]),
        ("REEL_WATCH_INTERVAL", "0.1", "300", ["0.09", "86401", "0x1p3", "inf"]),
        ("REEL_WATCH_MAX_INTERVAL", "5", "86400", ["0.09", "86401", "nan"]),
        ("REEL_WATCH_HORIZON", "0.1", "31536000", ["0.09", "31536001", "nan"]),
        ("REEL_REQUESTS_PER_SECOND", "0.01", "1000", ["0.009", "1000.1", "1e9"]),
        ("REEL_HTTP_IDLE_TIMEOUT", "0.1", "86400", ["0", "86401", "inf"]),
        ("REEL_HTTP_HEADER_TIMEOUT", "0.1", "86400", ["0.01", "86401", "1e1"]),
        ("REEL_CALLBACK_MAX_CONNECTIONS", "1", "65536", ["0", "65537"]),
        ("REEL_ADMIN_MAX_CONNECTIONS", "1", "65536", ["0", "65537"]),
        ("REEL_MAX_INTERRUPTIONS", "1", "1000", ["0", "1001", "9223372036854775808"]),
    ] as [(String, String, String, [String])])
    func eachNumericVariableHasItsRange(_ name: String, _ low: String, _ high: String, _ refused: [String]) throws {
        for value in [low, high] {
            #expect(throws: Never.self, "\(name)=\(value)") { try Self.read([], [name: value]) }
        }
        for value in refused {
            let error = Self.refusal([], [name: value])
            #expect(error?.setting == name, "\(name)=\(value): \(String(describing: error))")
            #expect(error?.message.hasPrefix("\(name) must be ") == true, "\(String(describing: error))")
            #expect(error?.message.contains("(got '\(value)')") == true, "\(String(describing: error))")
        }
    }

    @Test func theValuesReachTheirSettings() throws {
        let configuration = try Self.read([], [
            "REEL_MIN_FREE_MB": "16777216", "REEL_ALLOWED_HOSTS": " a.example.com, ,*.cdn.example ", "TOPVIEW_RETRY_POLICY": " fast ",
            "REEL_DOWNLOAD_CONCURRENCY": "3", "REEL_MEDIA_CONCURRENCY": "4", "REEL_WATCH_HORIZON": "0.1", "REEL_WATCH_CONCURRENCY": "9",
            "REEL_REQUESTS_PER_SECOND": "0.01", "REEL_HTTP_HEADER_TIMEOUT": "86400", "REEL_CALLBACK_MAX_CONNECTIONS": "65536",
            "REEL_ADMIN_MAX_CONNECTIONS": "1", "REEL_MAX_INTERRUPTIONS": "1000", "REEL_ADMIN_TOKEN": "admin-token",
            "REEL_LOG_LEVEL": " Debug ", "REEL_FFMPEG_VERBOSE": "1", "REEL_FAILPOINT": "archive.polled, catalog.store.synced@3,queue.job.moved@x",
        ])
        #expect(configuration.api.minFreeBytes == 16_777_216 << 20)
        #expect(configuration.api.extraHosts == ["a.example.com", "*.cdn.example"])
        #expect(configuration.api.topView.retry == .fast)
        let service = configuration.serve.server.service
        #expect(service.downloadConcurrency == 3 && service.mediaConcurrency == 4 && service.workers == 7)
        #expect(service.watchHorizon == .milliseconds(100) && service.feederConcurrency == 9)
        #expect(service.requestsPerSecond == 0.01 && service.maxInterruptions == 1000)
        let limits = configuration.serve.server.limits
        #expect(limits.headerTimeout == .seconds(86_400) && limits.callbackMaxConnections == 65_536 && limits.adminMaxConnections == 1)
        #expect(configuration.serve.server.adminToken == "admin-token")
        #expect(configuration.logging == LoggingConfiguration(level: .debug, ffmpegVerbose: true))
        #expect(configuration.failpoints == ["archive.polled": 1, "catalog.store.synced": 3, "queue.job.moved": 1])
    }

    // MARK: - one message style

    /// Every refusal names its setting first and says what it takes; the value it got is escaped and the key never
    /// appears.
    @Test(arguments: [
        (["REEL_LOG_LEVEL": "bogus"], "REEL_LOG_LEVEL", "must be one of trace, debug, info, notice, warning, error, critical (got 'bogus')"),
        (["REEL_WORKERS": "0x10"], "REEL_WORKERS", "must be a decimal integer from 1 to 64 (got '0x10')"),
        (["REEL_MIN_FREE_MB": "-1"], "REEL_MIN_FREE_MB", "must be a decimal integer from 0 to 16777216 MiB (got '-1')"),
        (["TOPVIEW_RETRY_POLICY": "sometimes"], "TOPVIEW_RETRY_POLICY", "must be standard, fast or none (got 'sometimes')"),
        (["REEL_ALLOW_PUBLIC_ADMIN": "maybe"], "REEL_ALLOW_PUBLIC_ADMIN", "must be 1 or 0 (got 'maybe')"),
        (["TOPVIEW_BASE_URL": "http://api.topview.ai"], "TOPVIEW_BASE_URL", "https://"),
        (["TOPVIEW_BASE_URL": "https://169.254.169.254/?token=x"], "TOPVIEW_BASE_URL", "link-local"),
        (["REEL_NOTIFY_URL": "file:///etc/passwd"], "REEL_NOTIFY_URL", "http:// or https://"),
        (["REEL_CALLBACK_SECRET": "ééééééééé"], "REEL_CALLBACK_SECRET", "must be at least 8 characters of A-Z, a-z, 0-9, - and _"),
        (["REEL_CALLBACK_SECRET": nil], "REEL_CALLBACK_SECRET", "is not set"),
        (["REEL_CALLBACK_BIND": "nowhere"], "REEL_CALLBACK_BIND / --callback-bind", "must be HOST:PORT"),
        (["REEL_WATCH_INTERVAL": "10", "REEL_WATCH_MAX_INTERVAL": "5"], "REEL_WATCH_INTERVAL / --watch-interval", "must not exceed"),
        (["REEL_LADDER": "721p"], "REEL_LADDER", "must be comma-separated presets"),
        (["REEL_LOG_LEVEL": "\u{1b}[31mred"], "REEL_LOG_LEVEL", "(got '\\u{1b}[31mred')"),
        (["REEL_ROLES": "workers,cooks"], "REEL_ROLES / --roles", "callbacks, admin, feeder, workers"),
        (["REEL_ROLES": "workers,workers"], "REEL_ROLES / --roles", "each at most once"),
        (["REEL_ROLES": ","], "REEL_ROLES / --roles", "comma-separated"),
        (["REEL_DATABASE_URL": "mysql://db/reel"], "REEL_DATABASE_URL", "is not usable"),
        (["REEL_LEASE": "0.5"], "REEL_LEASE", "from 1 to 3600"),
    ] as [([String: String?], String, String)])
    func everyRefusalHasOneStyle(_ environment: [String: String?], _ setting: String, _ says: String) throws {
        let error = try #require(Self.refusal([], environment))
        #expect(error.setting == setting)
        #expect(error.message.hasPrefix(setting + " "), "\(error)")
        #expect(error.message.contains(says), "\(error)")
        #expect(!error.message.contains("tvk-SECRET-config") && !error.message.contains("token=x"), "\(error)")
        #expect(ReelExit(error).code == 2 && ReelExit(error).message == "error: " + error.message)
    }

    /// `--roles` / `REEL_ROLES`: any order, spaces ignored, the flag over the variable; all by default.
    @Test func rolesAreReadFromTheFlagOrTheVariable() throws {
        #expect(try Self.read().serve.server.roles == .all)
        #expect(try Self.read([], ["REEL_ROLES": "workers, feeder"]).serve.server.roles == [.workers, .feeder])
        #expect(try Self.read(["--roles", "callbacks,admin"], ["REEL_ROLES": "workers"]).serve.server.roles == [.callbacks, .admin])
        let database = try Self.read(["--database-url", "postgres://reel@127.0.0.1/reel", "--lease", "2.5"])
        #expect(database.database.settings != nil && database.database.lease == .milliseconds(2500))
    }

    /// The two messages that say how to fix a missing or unsafe setting before naming it.
    @Test func theMessagesThatExplainFirst() throws {
        let key = try #require(Self.refusal([], ["TOPVIEW_API_KEY": nil]))
        #expect(key.setting == "TOPVIEW_API_KEY" && key.message.hasPrefix("no API key: set TOPVIEW_API_KEY"))
        let admin = try #require(Self.refusal(["--bind", "0.0.0.0:0"], [:]))
        #expect(admin.setting == "REEL_ADMIN_TOKEN")
        for words in ["off loopback", "--allow-public-admin", "REEL_ALLOW_PUBLIC_ADMIN=1"] { #expect(admin.message.contains(words)) }
        // A token, the flag or the variable lets it through; only without a token is it public.
        #expect(try Self.read(["--bind", "0.0.0.0:0"], ["REEL_ADMIN_TOKEN": "t"]).serve.adminIsPublic == false)
        #expect(try Self.read(["--bind", "0.0.0.0:0", "--allow-public-admin"], [:]).serve.adminIsPublic)
        #expect(try Self.read(["--bind", "0.0.0.0:0"], ["REEL_ALLOW_PUBLIC_ADMIN": "yes"]).serve.allowPublicAdmin)
    }

    /// `reel serve` logs at info unless `REEL_LOG_LEVEL` says otherwise; the other commands at warning.
    @Test func theDefaultLogLevelIsTheCommands() {
        #expect(ServeCommand.defaultLogLevel == .info)
        #expect(ArchiveCommand.defaultLogLevel == .warning && LsCommand.defaultLogLevel == .warning)
    }
}
