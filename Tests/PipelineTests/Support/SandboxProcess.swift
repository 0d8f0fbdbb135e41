import AsyncHTTPClient
import Foundation
import Synchronization
import Testing

/// A running `reel-sandbox` (the local TopView API stand-in) for tests over real HTTP on 127.0.0.1.
///
/// ```swift
/// try await withSandbox { sandbox in
///     let answer = try await get("\(sandbox.url)/v1/m2v/task/query?taskId=ready-\(UUID())")
/// }
/// ```
/// The binary is looked up in `REEL_SANDBOX_BINARY`, beside the test bundle, then in `.build/debug`. Its media
/// are generated once into a directory shared by all tests and runs (`$TMPDIR/reelvault-sandbox-media`, or
/// `REEL_SANDBOX_MEDIA`). Scenarios keep state per task id: give every test its own ids (`cut-\(UUID())`).
struct SandboxProcess: Sendable {
    /// `http://127.0.0.1:PORT`, without trailing slash.
    let url: String
    /// Where the served files live (`small.mp4`, `small-alt.mp4`, `demo.mp4`, `truncated.mp4`, covers).
    let mediaDirectory: URL
    /// The sandbox's stderr log.
    let logFile: URL
    fileprivate let process: Process

    var host: String { URLComponents(string: url)?.host ?? "127.0.0.1" }

    /// Path of a served media file.
    func media(_ name: String) -> URL { mediaDirectory.appendingPathComponent(name) }

    /// The media requests the sandbox saw for a task (from `GET /_sandbox/requests`).
    func requests(taskId: String) async throws -> [SandboxRequest] {
        let request = HTTPClientRequest(url: "\(url)/_sandbox/requests?taskId=\(taskId)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return try JSONDecoder().decode([SandboxRequest].self, from: Data(body.readableBytesView))
    }

    static let sharedMediaDirectory: URL = {
        if let path = ProcessInfo.processInfo.environment["REEL_SANDBOX_MEDIA"] { return URL(fileURLWithPath: path) }
        return FileManager.default.temporaryDirectory.appendingPathComponent("reelvault-sandbox-media")
    }()

    /// Finds the built `reel-sandbox` binary.
    static func binary() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [URL] = []
        if let path = environment["REEL_SANDBOX_BINARY"] { candidates.append(URL(fileURLWithPath: path)) }
        for base in [Bundle.main.executableURL, Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])] {
            if let base { candidates.append(base.deletingLastPathComponent().appendingPathComponent("reel-sandbox")) }
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/reel-sandbox"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw SandboxLaunchError(description: "reel-sandbox not found (looked at \(candidates.map(\.path))); build it with `swift build --product reel-sandbox`")
        }
        return found
    }

    /// Starts a sandbox and waits for its `SANDBOX_URL=` line.
    static func launch(timeout: Duration = .seconds(240)) async throws -> SandboxProcess {
        let media = sharedMediaDirectory
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("reel-sandbox-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--media-dir", media.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice

        let line = LineWaiter()
        try process.run()
        // A thread of its own reads stdout to its end, holding the handle open as long as it reads. (A
        // `readabilityHandler` is a dispatch source on the descriptor: when the handle was released and the descriptor
        // reused while the source was still armed, libdispatch's event loop crashed the test process.)
        let reader = stdout.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let data = reader.availableData
                line.feed(data)
                if data.isEmpty { break }
            }
            try? reader.close()
        }
        let sandboxURL: String
        do {
            sandboxURL = try await line.wait(timeout: timeout)
        } catch {
            if process.isRunning { process.terminate() }
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw SandboxLaunchError(description: "reel-sandbox did not start: \(error)\n\(output.suffix(2000))")
        }
        return SandboxProcess(url: sandboxURL, mediaDirectory: media, logFile: log, process: process)
    }

    /// Stops the sandbox: SIGTERM, then SIGKILL after 5 s.
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logFile)
    }
}

/// A media request the sandbox logged.
struct SandboxRequest: Codable, Sendable {
    let path: String
    let range: String?
    let ifRange: String?
    let status: Int
    let file: String
    let fault: String?
}

struct SandboxLaunchError: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body` with a fresh sandbox process and always stops it afterwards.
func withSandbox<T>(_ body: (SandboxProcess) async throws -> T) async throws -> T {
    try await SandboxMediaGate.shared.ready()
    let sandbox = try await SandboxProcess.launch()
    do {
        let result = try await body(sandbox)
        await sandbox.stop()
        return result
    } catch {
        await sandbox.stop()
        throw error
    }
}

/// Makes sure the media are generated by one sandbox before tests start several at once.
actor SandboxMediaGate {
    static let shared = SandboxMediaGate()
    private var first: Task<Void, any Error>?

    func ready() async throws {
        if first == nil {
            first = Task {
                let sandbox = try await SandboxProcess.launch()
                await sandbox.stop()
            }
        }
        try await first!.value
    }
}

/// Collects stdout until the `SANDBOX_URL=` line, and hands it to one waiter.
private final class LineWaiter: Sendable {
    private struct State {
        var buffer = Data()
        var url: String?
        var closed = false
        var continuation: CheckedContinuation<String, any Error>?
    }
    private let state = Mutex(State())

    /// Adds stdout bytes; empty data means end of file.
    func feed(_ data: Data) {
        settle { state in
            if data.isEmpty { state.closed = true } else { state.buffer.append(data) }
        }
    }

    private func settle(failing error: (any Error)? = nil, _ update: (inout State) -> Void = { _ in }) {
        let resume: (CheckedContinuation<String, any Error>, Result<String, any Error>)? = state.withLock { state in
            update(&state)
            if state.url == nil, let text = String(data: state.buffer, encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("SANDBOX_URL=") }),
                text.contains("\n")
            {
                state.url = String(line.dropFirst("SANDBOX_URL=".count))
            }
            guard let continuation = state.continuation else { return nil }
            if let url = state.url {
                state.continuation = nil
                return (continuation, .success(url))
            }
            if let error {
                state.continuation = nil
                return (continuation, .failure(error))
            }
            if state.closed {
                state.continuation = nil
                return (continuation, .failure(SandboxLaunchError(description: "the sandbox exited before listening")))
            }
            return nil
        }
        if let (continuation, result) = resume { continuation.resume(with: result) }
    }

    func wait(timeout: Duration) async throws -> String {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    self.state.withLock { $0.continuation = continuation }
                    self.settle()  // resolves at once if the line is already there
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                let error = SandboxLaunchError(description: "no SANDBOX_URL line after \(timeout)")
                self.settle(failing: error)
                throw error
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
