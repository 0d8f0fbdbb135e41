import Foundation

/// A filesystem mounted for one test: a size-limited tmpfs (a disk that fills up) or a read-only bind mount (a
/// mounted backup). Mounting needs root (root ignores file modes, so a chmod would prove nothing): where it is not
/// permitted the constructors answer `nil` and the test says it is skipped.
public struct TestMount: Sendable {
    /// Where the filesystem is mounted.
    public let url: URL
    public var path: String { url.path }
    /// The mount point was made for this mount (a tmpfs) and goes with it.
    private let ownsMountPoint: Bool

    /// A tmpfs of `size` (`"1m"`, `"16m"`) on a new directory in the temporary directory.
    public static func tmpfs(size: String) async throws -> TestMount? {
        guard getuid() == 0 else { return nil }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reel-tmpfs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        guard try await mount(["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", url.path]) == 0 else {
            try? FileManager.default.removeItem(at: url)
            return nil
        }
        return TestMount(url: url, ownsMountPoint: true)
    }

    /// `source` seen read-only at the existing directory `target` (`mount --bind`, then `remount,bind,ro`).
    public static func readOnlyBind(_ source: URL, at target: URL) async throws -> TestMount? {
        guard getuid() == 0 else { return nil }
        guard try await mount(["--bind", source.path, target.path]) == 0 else { return nil }
        let mounted = TestMount(url: target, ownsMountPoint: false)
        guard try await mount(["-o", "remount,bind,ro", target.path]) == 0 else {
            mounted.unmount()
            return nil
        }
        return mounted
    }

    /// Changes the mount's options (`"size=256m"` makes room on a tmpfs); `true` when `mount` succeeded.
    public func remount(_ options: String) async throws -> Bool {
        try await Self.mount(["-o", "remount,\(options)", path]) == 0
    }

    /// Unmounts, and removes the mount point if it was made for this mount. Synchronous, for `defer`, which cannot
    /// await: unmounting takes milliseconds.
    public func unmount() {
        let process = Self.process("/bin/umount", [path])
        try? process.run()
        process.waitUntilExit()
        if ownsMountPoint { try? FileManager.default.removeItem(at: url) }
    }

    /// Runs `mount` without holding a thread of the cooperative pool while it runs.
    private static func mount(_ arguments: [String]) async throws -> Int32 {
        let process = process("/bin/mount", arguments)
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }

    private static func process(_ tool: String, _ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }
}
