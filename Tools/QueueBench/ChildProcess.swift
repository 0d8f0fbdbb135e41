import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// This executable started again in another mode (a claimer, a worker to kill), its standard output read line by line
/// on a thread of its own, its standard error shared with ours. The database URL travels in the environment.
final class ChildProcess: Sendable {
    let pid: pid_t
    private let output = Mutex<(lines: [String], ended: Bool)>(([], false))

    init(arguments: [String], url: String) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw BenchError("pipe: errno \(errno)") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } // the child's dup2 onto 1 clears it there
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)

        let executable = Self.executablePath()
        var environment = ProcessInfo.processInfo.environment
        environment["REEL_DATABASE_URL"] = url
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, envp)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw BenchError("posix_spawn \(executable): \(status)")
        }
        pid = child
        let readEnd = fds[0]
        Thread.detachNewThread { [self] in readLines(readEnd) }
    }

    private static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func readLines(_ fd: Int32) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: chunk.prefix(count))
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                output.withLock { $0.lines.append(line) }
            }
        }
        close(fd)
        output.withLock { $0.ended = true }
    }

    /// The first line of output that satisfies `match`, waiting up to `timeout`.
    func line(within timeout: Duration, where match: @Sendable (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (found, ended) = output.withLock { state in (state.lines.first(where: match), state.ended) }
            if let found { return found }
            if ended { throw BenchError("child \(pid) ended without the expected output") }
            if ContinuousClock.now >= deadline { throw BenchError("child \(pid) gave no expected output within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func kill(_ signal: Int32) { _ = Glibc.kill(pid, signal) }

    /// Waits for the child to end (polling, so no thread blocks); its exit status as waitpid(2) gives it.
    @discardableResult
    func wait(within timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return status }
            if result < 0 && errno != EINTR { throw BenchError("waitpid \(pid): errno \(errno)") }
            if ContinuousClock.now >= deadline {
                kill(SIGKILL)
                throw BenchError("child \(pid) did not end within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
