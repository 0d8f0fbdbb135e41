import ReelBasics
import Testing

/// The last pass over a CLI log line: no value can forge a line, and text escaped at its source is not escaped twice.
struct NeutralizeTests {
    @Test func controlCharactersAreEscapedBackslashesKept() {
        #expect(SafeText.neutralize("a\nb\r\u{1b}[31m\0") == "a\\nb\\r\\u{1b}[31m\\0")
        #expect(SafeText.neutralize("C:\\path") == "C:\\path")
    }

    @Test func itIsIdempotentOnEscapedText() {
        let raw = "task\nforged \u{1b}[2J line\u{202E}"
        let escaped = SafeText.escape(raw)
        #expect(SafeText.neutralize(escaped) == escaped)
        #expect(SafeText.neutralize(SafeText.neutralize(raw)) == SafeText.neutralize(raw))
    }

    @Test func longTextIsCut() {
        #expect(SafeText.neutralize(String(repeating: "x", count: 10_000)) == String(repeating: "x", count: 256) + "…")
        #expect(SafeText.neutralize(String(repeating: "x", count: 2000), limit: 1024).count == 1025)
    }
}
