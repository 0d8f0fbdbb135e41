import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Tells the next system in line that a task was archived: POSTs its `show --json` document to a URL and/or runs
/// a command with it on stdin, each with bounded retries.
public struct Notifier: Sendable {
    let httpClient: HTTPClient
    let settings: ServiceSettings
    let logger: Logger

    public init(httpClient: HTTPClient, settings: ServiceSettings, logger: Logger) {
        self.httpClient = httpClient
        self.settings = settings
        self.logger = logger
    }

    public var isConfigured: Bool { settings.notifyURL != nil || settings.notifyCommand != nil }

    public func notify(taskId: String, document: Data) async {
        if let url = settings.notifyURL {
            await retrying("notify.url", taskId: taskId) { try await post(document, to: url) }
        }
        if let command = settings.notifyCommand {
            await retrying("notify.command", taskId: taskId) { try await run(command, taskId: taskId, input: document) }
        }
    }

    private func retrying(_ what: String, taskId: String, _ body: () async throws -> Void) async {
        for attempt in 1...settings.notifyAttempts {
            do {
                try await body()
                return
            } catch {
                logger.warning("notification failed", metadata: ["task.id": "\(taskId)", "notify.kind": "\(what)",
                                                                 "notify.attempt": "\(attempt)", "error": "\(error)"])
                if attempt < settings.notifyAttempts {
                    try? await Task.sleep(for: .milliseconds(500 * (1 << min(attempt, 6))))
                }
            }
        }
        logger.error("notification gave up", metadata: ["task.id": "\(taskId)", "notify.kind": "\(what)"])
    }

    private func post(_ document: Data, to url: String) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: document))
        let response = try await httpClient.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw PipelineError(code: "notify_http", message: "the notification URL answered HTTP \(response.status.code)")
        }
    }

    private func run(_ command: String, taskId: String, input: Data) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var env = ProcessInfo.processInfo.environment
        env["REEL_TASK_ID"] = taskId
        env["TOPVIEW_API_KEY"] = nil
        env["REEL_CALLBACK_SECRET"] = nil
        env["REEL_ADMIN_TOKEN"] = nil
        process.environment = env
        let stdin = Pipe()
        process.standardInput = stdin
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { p in continuation.resume(returning: p.terminationStatus) }
            do {
                try process.run()
                try? stdin.fileHandleForWriting.write(contentsOf: input)
                try? stdin.fileHandleForWriting.close()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            throw PipelineError(code: "notify_command", message: "the notification command exited with \(status)")
        }
    }
}
