import DurableFiles
import Foundation
import Testing

@Suite struct FileDigestTests {
    @Test func sha256MatchesAKnownDigest() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("abc")
        try Data("abc".utf8).write(to: file)
        #expect(try sha256(ofFileAt: file) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Larger than one 1 MiB chunk: compare with sha256sum.
        let big = root.appendingPathComponent("big")
        try Data((0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: big)
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [big.path]
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(try sha256(ofFileAt: big) == String(output.prefix(64)))
        let error = #expect(throws: FileError.self) { try sha256(ofFileAt: root.appendingPathComponent("missing")) }
        #expect(error?.code == ENOENT)
    }
}
