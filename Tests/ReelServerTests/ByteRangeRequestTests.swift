import Testing
@testable import ReelServer

/// ``ByteRangeRequest`` against RFC 9110 §14 for a 1000-byte file.
@Suite struct ByteRangeRequestTests {
    @Test(arguments: [
        ("bytes=0-99", ByteRangeRequest.ranges([0...99])), ("bytes=-500", .ranges([500...999])), ("bytes=-5000", .ranges([0...999])),
        ("bytes=900-", .ranges([900...999])), ("bytes=900-5000", .ranges([900...999])), ("bytes=-0", .unsatisfiable),
        ("bytes=1000-", .unsatisfiable), ("bytes=2000-3000", .unsatisfiable), ("bytes=5-2", .whole), ("bytes=x-1", .whole),
        ("items=0-1", .whole), ("bytes=0-9,5-19", .ranges([0...19])), ("bytes=0-9,20-29", .ranges([0...9, 20...29])),
        ("bytes=0-9,2000-", .ranges([0...9])), ("BYTES=0-1", .ranges([0...1])), ("bytes=+1-2", .whole),
        ("bytes=0-99999999999999999999999999", .ranges([0...999])),
    ])
    func parses(_ header: String, _ expected: ByteRangeRequest) {
        #expect(ByteRangeRequest(header: header, size: 1000) == expected, "\(header)")
    }

    @Test func anEmptyFileSatisfiesNoRange() {
        #expect(ByteRangeRequest(header: "bytes=-5", size: 0) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=0-", size: 0) == .unsatisfiable)
    }

    @Test func manySlicesAreAnsweredWhole() {
        let header = "bytes=" + (0..<40).map { "\($0 * 10)-\($0 * 10 + 1)" }.joined(separator: ",")
        #expect(ByteRangeRequest(header: header, size: 1000) == .whole)
    }
}
