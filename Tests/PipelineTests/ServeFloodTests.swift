import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `reel serve` under `ulimit -n 1024` with 1100 idle sockets held open on its callback port (no secret
/// needed for that): the admin listener still answers `/healthz`, a valid callback is acknowledged, and nothing runs
/// out of descriptors. Through the binary, for the process's own descriptor limit.
///
/// Load-proof: a starved service does not answer late, it does not answer at all (no descriptor to accept with, or
/// the connection is refused), so the answers are awaited with bounds only a starved service reaches, while every
/// socket of the flood is still held.
@Suite struct ServeFloodTests {
    static let idleSockets = 1100

    @Test func idleSocketsCannotStarveTheService() async throws {
        // This process needs more than 1100 descriptors of its own for the flood.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 4096 {
            limit.rlim_cur = min(limit.rlim_max, 4096)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        try #require(limit.rlim_cur >= rlim_t(Self.idleSockets + 200), "this process may hold only \(limit.rlim_cur) descriptors")
        try await withBench { bench in
            let serve = try await ServeProcess.start(bench, launcher: ["/bin/sh", "-c", "ulimit -n 1024 && exec \"$@\"", "sh"])
            let flood = try await offPool { () -> [RawSocket] in
                var sockets: [RawSocket] = []
                for _ in 0..<Self.idleSockets { sockets.append(try RawSocket(port: serve.callbackPort)) }
                return sockets
            }
            try await Task.sleep(for: .milliseconds(500)) // let the service accept (and evict) them all
            for _ in 0..<5 {
                let reply = try await LoopbackHTTP.send(port: serve.adminPort, method: "GET", target: "/healthz", timeout: 60)
                #expect(reply.status == 200, "/healthz during the flood: \(reply)")
            }
            let ack = try await serve.callback(callbackBody(taskId: "ready-flood-1"))
            #expect(ack.status == 200, "callback during the flood: \(ack)")
            withExtendedLifetime(flood) {}
            let result = try await serve.stop()
            #expect(!result.stderr.contains("Too many open files"), "\(result.stderr.suffix(2000))")
            #expect(result.status == 0, "\(result)")
        }
    }
}
