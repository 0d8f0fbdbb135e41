import Catalog
import Foundation
import Testing
import TopView
#if canImport(Glibc)
import Glibc
#endif

/// Settings through the real `reel` binary: every numeric flag and variable has a range and a bad value is a usage
/// error (exit 2) naming it; URLs that would receive the key or a document are checked; the admin listener off
/// loopback needs a token; media commands refuse what is not a regular file before opening it.
@Suite struct CLISettingsTests {
    static let apiKey = "tvk-SECRET-settings"

    /// Runs `reel` with a throwaway storage root, a loopback base URL nobody answers and a valid callback secret;
    /// `environment` adds to that (nil removes). Returns the run and whether the storage root was created.
    static func run(_ arguments: [String], environment changes: [String: String?] = [:]) async throws -> (ReelResult, storageCreated: Bool) {
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("reel-settings-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storage) }
        var environment = ["TOPVIEW_BASE_URL": "http://127.0.0.1:9", "TOPVIEW_API_KEY": apiKey, "TOPVIEW_RETRY_POLICY": "none",
                           "REEL_STORAGE": storage.path, "REEL_CALLBACK_SECRET": "settings-secret-0123"]
        for (name, value) in changes { environment[name] = value }
        // A command that hangs is killed after the timeout, which fails its test: a bound only a hang reaches.
        let result = try await ReelProcess.run(arguments, environment: environment, timeout: .seconds(120)).checkedForKey(apiKey)
        return (result, FileManager.default.fileExists(atPath: storage.path))
    }

    static let serve = ["serve", "--callback-bind", "127.0.0.1:0", "--bind", "127.0.0.1:0"]

    /// A refused start: exit 2 (not a signal), a message naming the setting and saying what it must be, nothing
    /// listened and nothing was created.
    static func expectRefusedStart(_ arguments: [String], _ environment: [String: String?] = [:], naming name: String,
                                   saying words: [String] = ["must"], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (result, created) = try await run(arguments, environment: environment)
        #expect(result.status == 2 && !result.killedBySignal, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(name), "the message names \(name): \(result)", sourceLocation: sourceLocation)
        for word in words { #expect(result.stderr.contains(word), "the message says \(word): \(result)", sourceLocation: sourceLocation) }
        #expect(!result.stderr.contains("reel serve: callbacks on"), "it listened: \(result)", sourceLocation: sourceLocation)
        #expect(!created, "the storage root was created before the settings were checked: \(result)", sourceLocation: sourceLocation)
    }

    // MARK: - reel serve: variables

    @Test(arguments: [
        ["REEL_CALLBACK_SECRET", "ééééééééé"], ["REEL_CALLBACK_SECRET", "short"], ["REEL_CALLBACK_SECRET", "sëcret-0123"],
        ["REEL_NOTIFY_URL", "file:///etc/passwd"], ["REEL_NOTIFY_URL", "http://169.254.169.254/latest/meta-data/"],
        ["REEL_NOTIFY_URL", "http://[fe80::1]/hook"], ["REEL_NOTIFY_URL", "http://2852039166/hook"],
        ["REEL_LOG_LEVEL", "bogus"], ["REEL_LOG_LEVEL", "verbose"],
        ["REEL_MIN_FREE_MB", "abc"], ["REEL_MIN_FREE_MB", "-1"], ["REEL_MIN_FREE_MB", "99999999999999999999"],
        ["REEL_WORKERS", "1.5"], ["REEL_WORKERS", "0x10"], ["REEL_WORKERS", "0"], ["REEL_WORKERS", "65"],
        ["REEL_DOWNLOAD_CONCURRENCY", "1e1"], ["REEL_MEDIA_CONCURRENCY", "-2"], ["REEL_WATCH_CONCURRENCY", "two"],
        ["REEL_WATCH_INTERVAL", "0x1p3"], ["REEL_WATCH_MAX_INTERVAL", "inf"], ["REEL_WATCH_HORIZON", "nan"],
        ["REEL_REQUESTS_PER_SECOND", "1e9"], ["REEL_HTTP_IDLE_TIMEOUT", "inf"], ["REEL_HTTP_IDLE_TIMEOUT", "0"],
        ["REEL_HTTP_HEADER_TIMEOUT", "1e1"], ["REEL_HTTP_HEADER_TIMEOUT", "86401"], ["REEL_CALLBACK_MAX_CONNECTIONS", "0"],
        ["REEL_ADMIN_MAX_CONNECTIONS", "65537"], ["REEL_MAX_INTERRUPTIONS", "0"], ["REEL_MAX_INTERRUPTIONS", "1001"],
        ["REEL_MAX_INTERRUPTIONS", "9223372036854775808"], ["REEL_ALLOW_PUBLIC_ADMIN", "maybe"],
        ["TOPVIEW_BASE_URL", "http://169.254.169.254/"], ["TOPVIEW_BASE_URL", "https://169.254.169.254/"],
        ["TOPVIEW_BASE_URL", "https://[fe80::a9fe:a9fe]/"], ["TOPVIEW_BASE_URL", "http://api.topview.ai"],
        ["TOPVIEW_BASE_URL", "file:///etc/passwd"], ["TOPVIEW_RETRY_POLICY", "sometimes"],
    ])
    func aBadVariableStopsTheStart(_ setting: [String]) async throws {
        try await Self.expectRefusedStart(Self.serve, [setting[0]: setting[1]], naming: setting[0])
    }

    @Test(arguments: [
        ["--workers", "1.5"], ["--download-concurrency", "0x10"], ["--media-concurrency=65"], ["--watch-interval", "1e3"],
        ["--watch-max-interval=nan"], ["--watch-horizon", "inf"], ["--watch-concurrency", "0"], ["--requests-per-second", "0"],
        ["--http-idle-timeout", "inf"], ["--http-header-timeout=0.01"], ["--callback-max-connections", "65537"],
        ["--admin-max-connections=-1"], ["--max-interruptions", "1001"], ["--max-interruptions", "1.0"],
        ["--notify-url", "file:///tmp/x"], ["--notify-url", "https://169.254.169.254/"], ["--base-url", "http://169.254.169.254/"],
    ])
    func aBadFlagStopsTheStart(_ flag: [String]) async throws {
        let name = String(flag[0].prefix { $0 != "=" })
        try await Self.expectRefusedStart(Self.serve + flag, naming: name, saying: [])
        let (result, _) = try await Self.run(Self.serve + flag)
        #expect(result.stderr.contains("give ") || result.stderr.contains("must"), "say what to give: \(result)")
    }

    @Test func theMessagesSayWhatToDo() async throws {
        try await Self.expectRefusedStart(Self.serve, ["REEL_WORKERS": "0x10"], naming: "REEL_WORKERS",
                                          saying: ["must be a decimal integer from 1 to 64", "0x10"])
        try await Self.expectRefusedStart(Self.serve, ["REEL_LOG_LEVEL": "bogus"], naming: "REEL_LOG_LEVEL",
                                          saying: ["trace, debug, info, notice, warning, error, critical"])
        try await Self.expectRefusedStart(Self.serve, ["REEL_CALLBACK_SECRET": "ééééééééé"], naming: "REEL_CALLBACK_SECRET",
                                          saying: ["A-Z, a-z, 0-9, - and _", "at least 8"])
        try await Self.expectRefusedStart(Self.serve, ["TOPVIEW_BASE_URL": "http://169.254.169.254/"], naming: "TOPVIEW_BASE_URL",
                                          saying: ["https://"])
        try await Self.expectRefusedStart(Self.serve, ["TOPVIEW_BASE_URL": "https://169.254.169.254/"], naming: "TOPVIEW_BASE_URL",
                                          saying: ["link-local"])
        try await Self.expectRefusedStart(Self.serve, ["REEL_NOTIFY_URL": "file:///etc/passwd"], naming: "REEL_NOTIFY_URL",
                                          saying: ["http:// or https://"])
        try await Self.expectRefusedStart(Self.serve, ["REEL_MIN_FREE_MB": "-1"], naming: "REEL_MIN_FREE_MB",
                                          saying: ["decimal integer from 0 to"])
    }

    // MARK: - the admin listener off loopback

    @Test(arguments: ["0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.invalid:0"])
    func anAdminListenerOffLoopbackNeedsAToken(_ bind: String) async throws {
        try await Self.expectRefusedStart(["serve", "--callback-bind", "127.0.0.1:0", "--bind", bind], naming: "REEL_ADMIN_TOKEN",
                                          saying: ["--allow-public-admin", "REEL_ALLOW_PUBLIC_ADMIN=1", "off loopback"])
        try await Self.expectRefusedStart(["serve", "--callback-bind", "127.0.0.1:0"], ["REEL_BIND": bind], naming: "REEL_ADMIN_TOKEN",
                                          saying: ["off loopback"])
    }

    /// With a token, `--allow-public-admin` or `REEL_ALLOW_PUBLIC_ADMIN=1` the check passes (the second with a warning).
    /// 192.0.2.1 (TEST-NET-1) is on no interface here: the bind itself then fails, so nothing ever listens off loopback.
    @Test func aTokenOrAnExplicitAllowanceLetsItStart() async throws {
        let arguments = ["serve", "--callback-bind", "127.0.0.1:0", "--bind", "192.0.2.1:0"]
        let refusal = "is off loopback and REEL_ADMIN_TOKEN is not set"
        let warning = "the admin listener is off loopback without REEL_ADMIN_TOKEN"
        for (extra, environment) in [([String](), ["REEL_ADMIN_TOKEN": "admin-token"]), (["--allow-public-admin"], [:]),
                                     ([], ["REEL_ALLOW_PUBLIC_ADMIN": "1"])] as [([String], [String: String?])] {
            let (result, created) = try await Self.run(arguments + extra, environment: environment)
            #expect(!result.stderr.contains(refusal), "\(result)")
            #expect(result.status != 0 && created && !result.stderr.contains("reel serve: callbacks on"),
                    "it went on (opened the catalog) and failed to bind: \(result)")
            #expect(result.stderr.contains(warning) == (environment["REEL_ADMIN_TOKEN"] == nil), "\(result)")
        }
    }

    // MARK: - other commands: numeric flags and variables

    @Test(arguments: [
        ["media", "verify", "F", "--tolerance-ms=9223372036854776"], ["media", "verify", "F", "--tolerance-ms=-1"],
        ["media", "verify", "F", "--reported-us", "9223372036854775807"], ["media", "verify", "F", "--reported-us=1e6"],
        ["media", "thumbs", "F", "--out", "D", "--count", "1e3"], ["media", "thumbs", "F", "--out", "D", "--size", "0x100"],
        ["media", "thumbs", "F", "--out", "D", "--at", "1e2"], ["media", "thumbs", "F", "--out", "D", "--at", "1,nan"],
        ["media", "thumbs", "F", "--out", "D", "--at", "inf"], ["media", "render", "F", "--out", "D", "--crf", "52"],
        ["archive", "t-1", "--poll-interval", "inf"], ["archive", "t-1", "--poll-interval", "0x1"], ["archive", "t-1", "--timeout=nan"],
        ["archive", "t-1", "--timeout=1e9"], ["archive", "t-1", "--jobs", "0x10"], ["archive", "t-1", "--jobs", "65"],
        ["ls", "--limit=-1"], ["ls", "--script", "1.5"], ["ls", "--script", "99999999999999999999"],
        ["render", "t-1", "--preset", "240p", "--crf", "99"], ["render", "t-1", "--preset", "240p", "--script=-1"],
    ])
    func aBadNumericFlagIsAUsageError(_ arguments: [String]) async throws {
        let flag = arguments.last { $0.hasPrefix("--") }.map { String($0.prefix { $0 != "=" }) } ?? ""
        let (result, created) = try await Self.run(arguments)
        #expect(result.status == 2 && !result.killedBySignal, "\(result)")
        #expect(result.stderr.contains(flag), "the message names \(flag): \(result)")
        #expect(result.stderr.contains("give ") || result.stderr.contains("must"), "say what to give: \(result)")
        #expect(!created, "\(result)")
    }

    @Test(arguments: [["REEL_MIN_FREE_MB", "abc"], ["REEL_MIN_FREE_MB", "-1"], ["REEL_LOG_LEVEL", "bogus"],
                      ["TOPVIEW_BASE_URL", "http://169.254.169.254/"], ["TOPVIEW_BASE_URL", "https://2852039166/"]])
    func archiveChecksItsVariablesBeforeAnyRequest(_ setting: [String]) async throws {
        // An upstream that counts requests (the base URL cases name their own, unreachable, upstream).
        let upstream = try LoopbackStub(body: #"{"code":"4004","message":"Task not found","result":null}"#)
        defer { upstream.stop() }
        var environment: [String: String?] = ["TOPVIEW_BASE_URL": upstream.url]
        environment[setting[0]] = setting[1]
        let (result, created) = try await Self.run(["archive", "t-1"], environment: environment)
        #expect(result.status == 2 && !result.killedBySignal, "\(result)")
        #expect(result.stderr.contains(setting[0]), "\(result)")
        #expect(!created, "\(result)")
        #expect(upstream.requests.isEmpty, "refused before any request: \(upstream.requests.count) made")
    }

    @Test func theAPIBaseURLOnLoopbackMayBePlainHTTP() async throws {
        let upstream = try LoopbackStub(body: #"{"code":"4004","message":"Task not found","result":null}"#)
        defer { upstream.stop() }
        for base in [upstream.url, "http://localhost:\(upstream.port)"] {
            let (result, _) = try await Self.run(["archive", "t-1", "--no-wait"], environment: ["TOPVIEW_BASE_URL": base])
            #expect(result.status == 1, "4004 is a permanent error of the task, not a configuration error: \(result)")
        }
        #expect(upstream.requests.count == 2, "the key went to the loopback upstream: \(upstream.requests.count)")
    }

    @Test func anEmptyVariableIsUnset() async throws {
        let environment: [String: String?] = ["REEL_LOG_LEVEL": "", "REEL_MIN_FREE_MB": "", "TOPVIEW_RETRY_POLICY": ""]
        let (result, _) = try await Self.run(["archive", "t-1", "--no-wait"], environment: environment)
        #expect(result.status == 4, "an empty variable is its default: the unreachable upstream is the only problem: \(result)")
    }

    // MARK: - reel media: only regular files

    @Test func mediaCommandsRefuseWhatIsNotARegularFile() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-fifo-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let fifo = scratch.appendingPathComponent("video.mp4").path
        try #require(mkfifo(fifo, 0o600) == 0, "mkfifo: errno \(errno)")
        let out = scratch.appendingPathComponent("out").path
        let cases: [(path: String, kind: String)] = [(fifo, "FIFO"), (scratch.path, "directory"), ("/dev/null", "device"),
                                                     (scratch.appendingPathComponent("missing.mp4").path, "no such file")]
        for (path, kind) in cases {
            for arguments in [["media", "probe", path], ["media", "verify", path], ["media", "thumbs", path, "--out", out],
                              ["media", "render", path, "--out", out, "--preset", "240p"], ["media", "probe", "--json", path]] {
                let (result, _) = try await Self.run(arguments)
                #expect(result.status == 2 && !result.killedBySignal, "\(result)")
                // Not killed at the run's timeout (checked above): it did not wait for a writer.
                #expect(result.stderr.contains(kind), "\(result)")
                #expect(result.stdout.isEmpty, "\(result)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: out), "nothing was written")
    }
}

/// The new `reel serve` settings reach the listeners: a flag wins over its variable, and each bounds what it says.
@Suite struct ServeHTTPSettingsTests {
    @Test func idleAndHeaderTimeoutsComeFromTheFlagsAndVariables() async throws {
        let environment: [String: String?] = ["REEL_HTTP_IDLE_TIMEOUT": "60", "REEL_HTTP_HEADER_TIMEOUT": "0.5",
                                              "REEL_MAX_INTERRUPTIONS": "3", "REEL_ADMIN_MAX_CONNECTIONS": "8", "REEL_WORKERS": ""]
        try await withServe(environment: environment, extraArguments: ["--http-idle-timeout", "1", "--callback-max-connections", "16"]) { _, serve in
            let idle = try await offPool { () -> (Data?, Duration) in
                // Before the connection exists, so the server's timers cannot have started earlier than this clock.
                let start = ContinuousClock.now
                let socket = try RawSocket(port: serve.adminPort)
                return (socket.readUntilClosed(within: .seconds(40)), ContinuousClock.now - start)
            }
            // 1 s against 60 s: closed after the first and well before the second, whatever the machine's load.
            #expect(idle.0 != nil, "an idle connection stayed open: --http-idle-timeout 1 (over REEL_HTTP_IDLE_TIMEOUT=60) did not apply")
            #expect(idle.1 >= .milliseconds(800), "closed after \(idle.1)")

            let slow = try await offPool { () -> (Data?, Duration) in
                // Before the connection exists, so the server's timers cannot have started earlier than this clock.
                let start = ContinuousClock.now
                let socket = try RawSocket(port: serve.callbackPort)
                socket.send(Array("POST /callbacks/topview/x HTTP/1.1\r\n".utf8))
                return (socket.readUntilClosed(within: .seconds(8)), ContinuousClock.now - start)
            }
            // 0.5 s against the 10 s default: cut with 408 (a header timeout, not the idle one) within 8 s.
            #expect(slow.0 != nil, "a request whose headers never end stayed open: REEL_HTTP_HEADER_TIMEOUT=0.5 did not apply")
            #expect(slow.0.map { String(decoding: $0, as: UTF8.self).hasPrefix("HTTP/1.1 408") } == true, "\(slow)")
            #expect(slow.1 >= .milliseconds(400), "closed after \(slow.1)")
            let health = try await serve.admin("GET", "/healthz")
            #expect(health.status == 200, "\(health)")
        }
    }
}
