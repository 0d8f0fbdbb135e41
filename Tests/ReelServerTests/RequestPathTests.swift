import Testing
@testable import ReelServer

/// ``RequestPath``: decoded once, normalised, and nothing that could be decoded again or split differently later.
@Suite struct RequestPathTests {
    @Test(arguments: [
        ("/", "/"), ("/files/a/b.mp4", "/files/a/b.mp4"), ("/%66iles/a", "/files/a"), ("/files//a///b", "/files/a/b"),
        ("/files/./a/../b", "/files/b"), ("/../../etc/passwd", "/etc/passwd"), ("/files/%2e%2e/x", "/x"),
        ("/a%20b", "/a b"), ("/caf%C3%A9", "/café"),
    ])
    func normalises(_ raw: String, _ expected: String) {
        #expect(RequestPath(raw[...])?.string == expected, "\(raw)")
    }

    @Test(arguments: [
        "files/a", "/files%2findex.sqlite", "/files/a%2Fb", "/a%5cb", "/a\\b", "/a%00b", "/a%0ab", "/a%zz", "/a%2", "/a%",
        "/a%25b", "/a%3Fb", "/a%23b", "/a%FFb", "/a%C3", "/a\u{7f}",
    ])
    func refuses(_ raw: String) {
        #expect(RequestPath(raw[...]) == nil, "\(raw)")
    }
}
