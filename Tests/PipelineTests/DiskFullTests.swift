import Foundation
import ReelTestSupport
import Testing

/// The storage root on a small filesystem that fills up: a clear error, the catalog intact, and a rerun that
/// succeeds once room is made. Needs root (to mount a size-limited tmpfs); skipped with a message otherwise.
@Suite(.serialized) struct DiskFullTests {
    @Test func aFullDiskFailsCleanlyAndARerunCompletesOnceThereIsRoom() async throws {
        guard let volume = try await TestMount.tmpfs(size: "16m") else {
            print("DiskFullTests skipped: mounting a size-limited tmpfs needs root")
            return
        }
        defer { volume.unmount() }
        try await withSandbox { sandbox in
            let storage = volume.url.appendingPathComponent("storage")
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
            #expect(try await volume.remount("size=256m"))
            let rerun = try await ReelProcess.start(["archive", task], environment: env).wait()
            #expect(rerun.status == 0, "\(rerun)")
            let after = try await ReelProcess.start(["verify", "--all"], environment: env).wait()
            #expect(after.status == 0, "\(after)")
        }
    }
}
