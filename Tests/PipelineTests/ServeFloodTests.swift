import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `reel serve` under `ulimit -n 1024` with 1100 idle sockets held open on its callback port (no secret
/// needed for that): the admin listener still answers `/healthz` within 1 s, a valid callback is acknowledged within
/// 5 s, and nothing runs out of descriptors. Wall-clock bounds: in Tools/test.sh's `timed` list (run alone).
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
            var healthz: [Duration] = []
            for _ in 0..<5 {
                let start = ContinuousClock.now
                let reply = try await LoopbackHTTP.send(port: serve.adminPort, method: "GET", target: "/healthz", timeout: 5)
                healthz.append(ContinuousClock.now - start)
                #expect(reply.status == 200, "\(reply)")
            }
            #expect(healthz.max()! < .seconds(1), "/healthz during the flood: \(healthz)")
            let start = ContinuousClock.now
            let ack = try await serve.callback(callbackBody(taskId: "ready-flood-1"))
            let elapsed = ContinuousClock.now - start
            #expect(ack.status == 200 && elapsed < .seconds(5), "callback during the flood: \(ack) after \(elapsed)")
            withExtendedLifetime(flood) {}
            let result = try await serve.stop()
            #expect(!result.stderr.contains("Too many open files"), "\(result.stderr.suffix(2000))")
            #expect(result.status == 0, "\(result)")
        }
    }
}
