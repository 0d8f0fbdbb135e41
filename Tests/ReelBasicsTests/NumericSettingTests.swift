import ReelBasics
import Testing

/// The one parser behind every numeric flag and variable: decimal only, inside its range, and never a trap.
struct NumericSettingTests {
    let workers = NumericSetting.count(1...64)
    let seconds = NumericSetting.seconds(0.1...86_400)

    @Test func countsInRangeParse() throws {
        #expect(try workers.parse("1") == 1)
        #expect(try workers.parse("64") == 64)
        #expect(try workers.parse(" 8 ") == 8, "surrounding spaces are ignored")
        #expect(try workers.parse("007") == 7)
    }

    @Test(arguments: ["0", "65", "-1", "+5", "1.5", "0x10", "1e1", "١٢", "８", "1_0", "", " ", "abc", "4 4", "∞"])
    func countsOutOfSyntaxOrRangeAreRefused(_ text: String) {
        #expect(throws: SettingError.self, "\(text)") { try workers.parse(text) }
    }

    @Test(arguments: ["9223372036854775807", "9223372036854775808", "99999999999999999999999999999999999999",
                      String(repeating: "9", count: 10_000)])
    func hugeCountsAreOutOfRangeNotATrap(_ text: String) {
        #expect(throws: SettingError.self) { try NumericSetting.count(0...Int.max - 1).parse(text) }
        #expect(throws: SettingError.self) { try NumericSetting.count64(0...3_600_000).parse(text) }
    }

    @Test func theLargestIntIsAValueWhenTheRangeAllowsIt() throws {
        #expect(try NumericSetting.count(0...Int.max).parse("9223372036854775807") == Int.max)
    }

    @Test func theIssuesToleranceIsARangeErrorNotACrash() throws {
        // `reel media verify F --tolerance-ms=9223372036854776` trapped on `* 1000`; the range keeps it from arithmetic.
        let tolerance = NumericSetting.count64(0...3_600_000, unit: "ms")
        #expect(throws: SettingError(value: "9223372036854776", expected: "a decimal integer from 0 to 3600000 ms")) {
            try tolerance.parse("9223372036854776")
        }
        let largest = try tolerance.parse("3600000")
        #expect(largest * 1000 == 3_600_000_000)
    }

    @Test func decimalSecondsParse() throws {
        #expect(try seconds.parse("5") == 5)
        #expect(try seconds.parse("0.5") == 0.5)
        #expect(try seconds.parse(".5") == 0.5)
        #expect(try seconds.parse("5.") == 5)
        #expect(try seconds.parse("86400") == 86_400)
        #expect(try seconds.duration("1.5") == .milliseconds(1500))
        #expect(try seconds.duration("0.1") == .milliseconds(100))
    }

    @Test(arguments: ["inf", "Infinity", "nan", "NaN", "1e3", "1E3", "0x1p3", "0x10", "-1", "+1", "1.2.3", ".", "",
                      "0.05", "86400.5", "1,5", "1 000", String(repeating: "9", count: 400), "1" + String(repeating: "0", count: 309)])
    func secondsOutOfSyntaxOrRangeAreRefused(_ text: String) {
        #expect(throws: SettingError.self, "\(text)") { try seconds.parse(text) }
    }

    @Test func aRateTakesDecimals() throws {
        let rate = NumericSetting.decimal(0.01...1000, unit: "/s")
        #expect(try rate.parse("0.01") == 0.01)
        #expect(try rate.parse("2") == 2)
        #expect(throws: SettingError.self) { try rate.parse("0.001") }
        #expect(rate.rangeText == "0.01…1000 /s")
    }

    @Test func messagesNameTheSettingAndWhatItTakes() {
        do {
            _ = try workers.parse("0x10")
            Issue.record("0x10 parsed")
        } catch {
            #expect(error.message(for: "REEL_WORKERS") == "REEL_WORKERS must be a decimal integer from 1 to 64 (got '0x10')")
        }
        #expect(workers.rangeText == "1…64")
        #expect(seconds.rangeText == "0.1…86400 s")
        #expect(seconds.expected == "decimal seconds from 0.1 to 86400")
    }

    @Test func aValueInAMessageIsEscapedAndCut() {
        let error = SettingError(value: "1\n\u{1b}[31m" + String(repeating: "x", count: 500), expected: "a decimal integer from 1 to 64")
        #expect(!error.description.contains("\n"))
        #expect(!error.description.contains("\u{1b}"))
        #expect(error.description.count < 200)
    }
}
