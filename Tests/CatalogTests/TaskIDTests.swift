import Foundation
import Testing
@testable import Catalog

struct TaskIDTests {
    @Test(arguments: ["abc", "T-1_2.mp4", "0123456789abcdef", "a..b", "-x", String(repeating: "a", count: 128)])
    func acceptsSafeComponents(_ raw: String) throws {
        let id = try TaskID(validating: raw)
        #expect(id.rawValue == raw)
        #expect(id.description == raw)
    }

    @Test(arguments: [
        "", ".", "..", ".hidden", "a/b", "/abs", "a\\b", "..\\x", "../x", "a\u{0}b", "a\nb", "a\tb", "a\u{7F}b",
        "a b", "a:b", "a%2Fb", "a?b", "a*b",
        "ａbc",          // fullwidth a
        "a\u{2215}b",    // division slash
        "a\u{FF0F}b",    // fullwidth solidus
        "e\u{301}",      // combining accent
        "\u{202E}abc",   // right-to-left override
        "аbc",           // Cyrillic a
        String(repeating: "a", count: 129),
        String(repeating: "x", count: 10 * 1024),
    ])
    func refusesUnsafeComponents(_ raw: String) {
        #expect(throws: CatalogError.unsafeTaskID) { try TaskID(validating: raw) }
    }

    @Test func errorDescriptionIsEscapedAndBounded() {
        do {
            _ = try TaskID(validating: "a\u{0}b")
            Issue.record("accepted NUL")
        } catch {
            #expect(error.description.contains("NUL"))
            #expect(error.description.contains(#""a\0b""#))
        }
        do {
            _ = try TaskID(validating: "a\u{0}" + String(repeating: "z", count: 10_000))
            Issue.record("accepted an unsafe id")
        } catch {
            #expect(error == .unsafeTaskID)
            #expect(!error.description.contains("\u{0}"))
            #expect(error.description.count < 400)
        }
    }

    @Test func decodingValidates() throws {
        let good = try JSONDecoder().decode([TaskID].self, from: Data(#"["abc"]"#.utf8))
        #expect(good == [taskID("abc")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([TaskID].self, from: Data(#"["../etc"]"#.utf8))
        }
    }

    @Test func shardIsTwoHexCharactersOfTheHash() {
        // printf 'abc' | sha256sum → ba7816bf...
        #expect(CatalogLayout.shard(of: taskID("abc")) == "ba")
        let layout = CatalogLayout(root: URL(fileURLWithPath: "/srv/storage"))
        #expect(layout.manifestURL(taskID("abc")).path == "/srv/storage/tasks/ba/abc/manifest.json")
        #expect(layout.assetDirectory(taskID("abc"), scriptId: 3, role: .export).path == "/srv/storage/tasks/ba/abc/3/export")
        #expect(layout.stagingDirectory(taskID("abc")).path == "/srv/storage/tasks/ba/abc/.staging")
    }
}
