import ReelBasics
import Testing

/// Where a key or a document may be sent: https unless loopback, never link-local (on every resolved address).
struct OutboundURLTests {
    /// A resolver that knows one name, so the tests need no DNS.
    static func resolver(_ host: String) -> [[UInt8]]? {
        switch host {
        case "metadata.example": [[169, 254, 169, 254]]
        case "mixed.example": [[93, 184, 216, 34], [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [1]]
        case "api.example": [[93, 184, 216, 34]]
        default: nil
        }
    }

    func problem(_ url: String, _ policy: OutboundURL.Policy = .httpsUnlessLoopback) -> String? {
        OutboundURL.problem(url, policy: policy, resolve: Self.resolver)
    }

    @Test(arguments: ["https://api.topview.ai", "https://api.example/", "http://127.0.0.1:8080", "http://127.1.2.3",
                      "http://localhost:9", "http://[::1]:8080/", "HTTPS://api.example", "https://unresolvable.example"])
    func theAPIBaseURLMayBe(_ url: String) {
        #expect(problem(url) == nil, "\(url)")
    }

    @Test(arguments: ["http://api.example", "http://169.254.169.254/", "http://10.0.0.1", "http://[::2]/", "http://2130706433/"])
    func plainHTTPIsOnlyForLoopback(_ url: String) {
        #expect(problem(url)?.contains("https://") == true, "\(url): \(String(describing: problem(url)))")
    }

    @Test(arguments: ["https://169.254.169.254/", "https://169.254.0.1", "https://[fe80::1]/", "https://[febf::1]/",
                      "https://[::ffff:169.254.169.254]/", "https://metadata.example/", "https://mixed.example/",
                      "http://169.254.169.254/"])
    func linkLocalIsNeverAllowed(_ url: String) {
        #expect(problem(url, .httpOrHTTPS)?.contains("link-local") == true, "\(url): \(String(describing: problem(url, .httpOrHTTPS)))")
    }

    @Test func aNumericHostIsCheckedOnWhatItResolvesTo() {
        // 2852039166 is 169.254.169.254 to inet_aton: the real resolver (getaddrinfo, no DNS for a number) sees it.
        #expect(OutboundURL.problem("https://2852039166/", policy: .httpsUnlessLoopback)?.contains("link-local") == true)
        #expect(OutboundURL.problem("http://0251.0376.0251.0376/", policy: .httpOrHTTPS)?.contains("link-local") == true)
        #expect(OutboundURL.problem("http://127.0.0.1:1/", policy: .httpsUnlessLoopback) == nil)
    }

    @Test(arguments: ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://x", "not a url", "", "http://", "https:///path",
                      "https://user:pass@api.example/", "https://api%2eexample/"])
    func otherURLsAreRefused(_ url: String) {
        #expect(problem(url, .httpOrHTTPS) != nil, "\(url)")
    }

    @Test func aNotificationURLMayBePlainHTTPOnTheNetwork() {
        #expect(problem("http://api.example/hooks", .httpOrHTTPS) == nil)
        #expect(problem("https://api.example/hooks", .httpOrHTTPS) == nil)
    }

    @Test func loopbackHosts() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.255.0.9", "::1", "[::1]"] { #expect(HostAddress.isLoopback(host), "\(host)") }
        for host in ["0.0.0.0", "::", "10.0.0.1", "192.0.2.1", "example.com", "127.0.0.1.example.com", "localhost.example"] {
            #expect(!HostAddress.isLoopback(host), "\(host)")
        }
    }
}
