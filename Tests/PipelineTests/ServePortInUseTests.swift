import Foundation
import Testing

/// A port another process holds is named with its listener and the flag (and variable) that moves it, exit 2.
@Suite struct ServePortInUseTests {
    @Test(arguments: [("--bind", "admin", "REEL_BIND"), ("--callback-bind", "callback", "REEL_CALLBACK_BIND")])
    func aPortInUseNamesTheListenerAndItsFlag(_ flag: String, _ listener: String, _ variable: String) async throws {
        let holder = try LoopbackStub(body: "{}")
        defer { holder.stop() }
        try await withBench { bench in
            var arguments = ["serve", "--storage", bench.storage.path, "--bind", "127.0.0.1:0", "--callback-bind", "127.0.0.1:0"]
            arguments += [flag, "127.0.0.1:\(holder.port)"]
            let run = try await ReelProcess.start(arguments, environment: bench.environment(["REEL_CALLBACK_SECRET": "port-test-secret-0123456789"]))
                .wait(timeout: .seconds(60))
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("the \(listener) listener cannot bind 127.0.0.1:\(holder.port): the address is in use"), "\(run)")
            #expect(run.stderr.contains(flag) && run.stderr.contains(variable), "\(run)")
        }
    }
}
