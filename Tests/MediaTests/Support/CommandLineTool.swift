import Foundation

/// Runs ffmpeg/ffprobe as fixture generator and independent oracle. The process is awaited through its
/// termination handler (never `waitUntilExit` on the cooperative pool); stdout and stderr go to files so a
/// large output cannot fill a pipe and stall the child.
enum CommandLineTool {
    struct Failure: Error, CustomStringConvertible {
        let command: [String]
        let status: Int32
        let stderr: String
        var description: String { "`\(command.joined(separator: " "))` exited with \(status): \(stderr)" }
    }

    /// Runs `tool` (looked up on PATH) and returns its standard output; throws when it exits non-zero.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) async throws -> Data {
        let result = try await runAllowingFailure(tool, arguments)
        guard result.status == 0 else {
            throw Failure(command: [tool] + arguments, status: result.status, stderr: String(decoding: result.stderr, as: UTF8.self))
        }
        return result.stdout
    }

    static func runAllowingFailure(_ tool: String, _ arguments: [String]) async throws -> (status: Int32, stdout: Data, stderr: Data) {
        // Inside the run's root, so that even a run killed mid-way leaves nothing behind after the next one.
        let scratch = URL(fileURLWithPath: Fixtures.root).appendingPathComponent("cli-\(UUID().uuidString)")
        let outURL = scratch.appendingPathExtension("out")
        let errURL = scratch.appendingPathExtension("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try out.close()
        try err.close()
        return (status, try Data(contentsOf: outURL), try Data(contentsOf: errURL))
    }

    /// The standard FFmpeg CLI arguments for quiet, non-interactive runs.
    static let quiet = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"]

    static func ffmpeg(_ arguments: [String]) async throws {
        try await run("ffmpeg", quiet + arguments)
    }

    /// Whether this ffmpeg build has an encoder, e.g. "libx265".
    static func hasEncoder(_ name: String) async -> Bool {
        guard let data = try? await run("ffmpeg", ["-hide_banner", "-encoders"]) else { return false }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").contains { line in
            line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == Substring(name)
        }
    }
}
