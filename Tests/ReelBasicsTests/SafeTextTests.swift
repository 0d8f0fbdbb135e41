import ReelBasics
import Testing

struct SafeTextTests {
    @Test func controlCharactersAreEscaped() {
        #expect(SafeText.escape("a\nb") == "a\\nb")
        #expect(SafeText.escape("x\u{1b}[31my") == "x\\u{1b}[31my")
        #expect(SafeText.escape("nul\0") == "nul\\0")
        #expect(SafeText.escape("back\\slash") == "back\\\\slash")
        #expect(SafeText.escape("bidi\u{202E}txt") == "bidi\\u{202e}txt")
        #expect(SafeText.escape("del\u{7F}") == "del\\u{7f}")
    }

    @Test func plainTextIsUnchanged() {
        #expect(SafeText.escape("task-123_abc") == "task-123_abc")
        #expect(SafeText.escape("café 東京") == "café 東京")
    }

    @Test func longTextIsCutAt256() {
        let long = String(repeating: "x", count: 10_000)
        let out = SafeText.escape(long)
        #expect(out == String(repeating: "x", count: 256) + "…")
        #expect(SafeText.escape(String(repeating: "y", count: 256)) == String(repeating: "y", count: 256))
    }
}
