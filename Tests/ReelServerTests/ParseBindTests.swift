import Testing
@testable import ReelServer

/// `ServerConfiguration.parseBind`: what `REEL_BIND`, `REEL_CALLBACK_BIND`, `--bind` and `--callback-bind` accept.
@Suite struct ParseBindTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        ("0.0.0.0:80", "0.0.0.0", 80),
        ("localhost:0", "localhost", 0),
        ("reel.internal:65535", "reel.internal", 65535),
        ("[::1]:8081", "::1", 8081),
        ("[::]:9000", "::", 9000),
        ("8080", "127.0.0.1", 8080),
        ("0", "127.0.0.1", 0),
    ])
    func accepts(_ text: String, _ host: String, _ port: Int) {
        let parsed = ServerConfiguration.parseBind(text)
        #expect(parsed?.host == host && parsed?.port == port, "\(text) → \(String(describing: parsed))")
    }

    @Test(arguments: [
        "", ":", ":8080", "host:", "host", "host:port", "host:-1", "host:65536", "host:+80", "host:8 0", "70000",
        "::1", "::1:8080", "[::1]", "[]:80", "[::1:80", "::1]:80", "[127.0.0.1]:80", " 127.0.0.1:80", "host name:80",
        "http://host:80", "host:80/path", "host:０", "host:99999999999999999999",
    ])
    func refuses(_ text: String) {
        #expect(ServerConfiguration.parseBind(text) == nil, "\(text) → \(String(describing: ServerConfiguration.parseBind(text)))")
    }

    @Test func defaultsAreLoopback() {
        let configuration = ServerConfiguration(callbackSecret: "secret-123")
        #expect(configuration.callbackHost == "127.0.0.1" && configuration.callbackPort == 8081)
        #expect(configuration.adminHost == "127.0.0.1" && configuration.adminPort == 8080)
        #expect(configuration.adminToken == nil)
        #expect(configuration.callbackMaxBytes == 1 << 20)
    }
}
