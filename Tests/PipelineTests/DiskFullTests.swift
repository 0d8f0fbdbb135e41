import Foundation
import Testing

/// The storage root on a small filesystem that fills up: a clear error, the catalog intact, and a rerun that
/// succeeds once room is made. Needs root (to mount a size-limited tmpfs); skipped with a message otherwise.
@Suite(.serialized) struct DiskFullTests {
    @Test func aFullDiskFailsCleanlyAndARerunCompletesOnceThereIsRoom() async throws {
        guard getuid() == 0 else {
            print("DiskFullTests skipped: mounting a size-limited tmpfs needs root")
            return
        }
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("reel-small-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard try await run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint.path]) == 0 else {
            print("DiskFullTests skipped: this machine does not allow mounting tmpfs")
            return
        }
        defer {
            _ = try? runSync("/bin/umount", [mountPoint.path])
            try? FileManager.default.removeItem(at: mountPoint)
        }
        try await withSandbox { sandbox in
            let storage = mountPoint.appendingPathComponent("storage")
            let env = ["TOPVIEW_BASE_URL": sandbox.url, "TOPVIEW_API_KEY": "disk-full", "REEL_STORAGE": storage.path,
                       "REEL_LADDER": "240p", "REEL_MIN_FREE_MB": "0", "TOPVIEW_RETRY_POLICY": "fast"]
            // The 27 MB demo video cannot fit in 16 MB: the download runs into ENOSPC.
            let task = taskId("demo")
            let full = try await ReelProcess.start(["archive", task], environment: env).wait()
            #expect(full.status == 1, "\(full)")
            let show = try await ReelProcess.start(["show", task, "--json"], environment: env).wait()
            #expect(show.stdout.contains("\"state\" : \"failed\""), "\(show)")
            #expect(show.stdout.contains("space") || show.stdout.contains("ENOSPC") || show.stdout.contains("No space"),
                    "the recorded error says the disk is full: \(show.stdout)")
            // Nothing half-written is visible: no source, no staging leftovers, the catalog verifies clean.
            let verify = try await ReelProcess.start(["verify", "--all", "--no-decode"], environment: env).wait()
            #expect(verify.status == 0, "\(verify)")
            // Make room, rerun: it completes.
            #expect(try await run("/bin/mount", ["-o", "remount,size=256m", mountPoint.path]) == 0)
            let rerun = try await ReelProcess.start(["archive", task], environment: env).wait()
            #expect(rerun.status == 0, "\(rerun)")
            let after = try await ReelProcess.start(["verify", "--all"], environment: env).wait()
            #expect(after.status == 0, "\(after)")
        }
    }

    /// Runs a tool without blocking a cooperative thread (the suite runs many tests at once on 2 cores).
    private func run(_ tool: String, _ arguments: [String]) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }

    /// For `defer`, which cannot await: unmounting takes milliseconds.
    private func runSync(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
