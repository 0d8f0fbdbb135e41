import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `reel` binary run as a child process, for end-to-end tests of the CLI.
///
/// ```swift
/// let result = try await ReelProcess.run(["archive", "ready-1"], environment: ["TOPVIEW_API_KEY": "x"])
/// #expect(result.status == 0)
/// ```
/// The binary is looked up in `REEL_BINARY`, beside the test bundle, then in `.build/debug`. The child gets a
/// clean environment: `PATH`, `HOME`, `TMPDIR` and the locale of this process, plus `environment`; nothing
/// else leaks in (no `TOPVIEW_*` or `REEL_*` of the developer's shell). stdout and stderr go to temporary
/// files (no pipe to fill up), stdin is `/dev/null`, so stderr is not a terminal: one line per event.
struct ReelProcess: Sendable {
    /// Variables passed through from this process.
    static let inherited = ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL"]

    let arguments: [String]
    let process: Process
    let stdoutFile: URL
    let stderrFile: URL
    let started: ContinuousClock.Instant

    /// Finds the built `reel` binary.
    static func binary() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [URL] = []
        if let path = environment["REEL_BINARY"] { candidates.append(URL(fileURLWithPath: path)) }
        for base in [Bundle.main.executableURL, Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])] {
            if let base { candidates.append(base.deletingLastPathComponent().appendingPathComponent("reel")) }
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/reel"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }) else {
            throw ReelLaunchError(description: "reel not found (looked at \(candidates.map(\.path))); build it with `swift build --product reel`")
        }
        return found
    }

    /// Starts `reel arguments…` in `directory` (default: this process's); wait for it with ``wait(timeout:)``.
    /// With `terminal`, it runs under `script(1)`, on a pseudo-terminal: stderr and stdout then both arrive on
    /// stdout, as a terminal shows them.
    /// With `launcher`, `reel` runs under it: `launcher + [reel path] + arguments` (e.g. `sh -c 'ulimit -n 1024; exec "$@"' sh`).
    static func start(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
                      terminal: Bool = false, columns: Int? = nil, launcher: [String] = []) throws -> ReelProcess {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let stdoutFile = scratch.appendingPathComponent("stdout")
        let stderrFile = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)

        var childEnvironment: [String: String] = [:]
        let current = ProcessInfo.processInfo.environment
        for name in inherited { if let value = current[name] { childEnvironment[name] = value } }
        childEnvironment.merge(environment) { _, new in new }

        let process = Process()
        if terminal {
            let command = ([try binary().path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            // `columns`: the pseudo-terminal's width, as a narrow or a wide terminal has it.
            let size = columns.map { "stty cols \($0) rows 40; " } ?? ""
            process.arguments = ["-q", "-e", "-f", "-c", size + command.joined(separator: " "), "/dev/null"]
        } else if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [try binary().path] + arguments
        } else {
            process.executableURL = try binary()
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        process.environment = childEnvironment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        return ReelProcess(arguments: arguments, process: process, stdoutFile: stdoutFile, stderrFile: stderrFile, started: .now)
    }

    /// Runs `reel arguments…` to the end (SIGKILL after `timeout`, which fails the test).
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(240)) async throws -> ReelResult {
        try await start(arguments, environment: environment).wait(timeout: timeout)
    }

    var pid: Int32 { process.processIdentifier }

    /// What the process wrote to stderr so far.
    var stderrSoFar: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Waits until stderr has a line containing `text`; false if the process ended first or after `timeout`.
    func waitForStderr(containing text: String, timeout: Duration = .seconds(120)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if stderrSoFar.split(separator: "\n").contains(where: { $0.contains(text) }) { return true }
            if !process.isRunning { return stderrSoFar.contains(text) }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Sends `signal` to the process.
    func kill(_ signal: Int32) {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, signal) }
    }

    /// `name state wchan` of each thread of process `pid`, from /proc.
    static func threadStates(_ pid: Int32) -> String {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.sorted().map { tid in
            let read = { (name: String) in
                ((try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/\(name)", encoding: .utf8)) ?? "?")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let stat = read("stat")
            let state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? "?"
            return "\(read("comm")) \(state) \(read("wchan"))"
        }.joined(separator: ", ")
    }

    /// Waits for the end of the process and collects its output; kills it and records an issue past `timeout`.
    func wait(timeout: Duration = .seconds(240)) async throws -> ReelResult {
        let deadline = ContinuousClock.now + timeout
        var killed = false
        while process.isRunning {
            if !killed, ContinuousClock.now > deadline {
                killed = true
                // What it was doing: each thread's kernel state (D: waiting on the disk) and its wait channel.
                Issue.record("reel \(arguments.joined(separator: " ")) still running after \(timeout); killed. Threads: \(Self.threadStates(pid)); stderr ends: \(stderrSoFar.suffix(2000))")
                _ = Glibc.kill(process.processIdentifier, SIGKILL)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: stdoutFile.deletingLastPathComponent())
        return ReelResult(
            arguments: arguments,
            status: process.terminationStatus,
            killedBySignal: process.terminationReason == .uncaughtSignal,
            stdout: stdout,
            stderr: stderr,
            elapsed: ContinuousClock.now - started
        )
    }
}

/// How a `reel` run ended and what it printed.
struct ReelResult: Sendable, CustomStringConvertible {
    let arguments: [String]
    /// The exit code (or the signal number when `killedBySignal`).
    let status: Int32
    let killedBySignal: Bool
    let stdout: String
    let stderr: String
    let elapsed: Duration

    var description: String {
        "reel \(arguments.joined(separator: " ")) → \(killedBySignal ? "signal" : "exit") \(status) in \(elapsed)\n"
            + "--- stdout\n\(stdout.suffix(4000))\n--- stderr\n\(stderr.suffix(4000))"
    }

    /// stderr's lines (events, messages).
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

struct ReelLaunchError: Error, CustomStringConvertible {
    let description: String
}
