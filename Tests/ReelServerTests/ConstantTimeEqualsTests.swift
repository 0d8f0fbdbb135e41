import Testing
@testable import ReelServer

/// The secret comparison of the callback path and the admin token.
@Suite struct ConstantTimeEqualsTests {
    @Test(arguments: ["", "a", "secret-123", "é-ünïcode-🔑", String(repeating: "x", count: 4096)])
    func equalStringsMatch(_ s: String) {
        #expect(constantTimeEquals(s, s))
        #expect(constantTimeEquals(s, String(decoding: Array(s.utf8), as: UTF8.self)))
    }

    @Test(arguments: [
        ("secret-123", "secret-124"), ("secret-123", "secret-12"), ("secret-12", "secret-123"), ("secret-123", ""),
        ("", "secret-123"), ("secret-123", "SECRET-123"), ("secret-123", "secret-123\u{0}"), ("a", "b"),
        // Same bytes padded with NUL must not compare equal to the shorter string.
        ("abc", "abc\u{0}\u{0}"),
        // Canonically equivalent but different bytes: the comparison is on bytes, as on the wire.
        ("\u{E9}", "e\u{301}"),
    ])
    func differentStringsDoNot(_ a: String, _ b: String) {
        #expect(!constantTimeEquals(a, b))
        #expect(!constantTimeEquals(b, a))
    }
}
