import Foundation
import Testing
@testable import Media

/// `AtomicFile` replaces a file whole: the content read back is what was written, a reader of the old file keeps the
/// old bytes, and nothing is left beside it. (The fsyncs — of the file, then of its directory after the rename — make
/// it survive a power cut; that part cannot be observed without one.)
@Suite struct AtomicFileTests {
    @Test("what was written is what is read back, replacing the old file whole; no temporary file is left")
    func replacesWhole() throws {
        let dir = try Fixtures.scratchDirectory("atomic-file")
        let path = dir + "/notes.vtt"
        let old = Data("WEBVTT\n\nold\n".utf8)
        try AtomicFile.write(old, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == old)

        // A reader that opened the old file keeps reading the old bytes: the new content is a new file renamed over
        // it, never the old file truncated and rewritten.
        let reader = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? reader.close() }
        let new = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try AtomicFile.write(new, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == new)
        #expect(try reader.readToEnd() == old)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["notes.vtt"])
    }

    @Test("a write into a missing directory fails as an I/O error and creates nothing")
    func missingDirectory() throws {
        let dir = try Fixtures.scratchDirectory("atomic-file-missing")
        let error = #expect(throws: MediaError.self) {
            try AtomicFile.write(Data("x".utf8), to: dir + "/absent/file.jpg")
        }
        #expect(error?.code == .io)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test("a failed rename removes the temporary file and leaves the target as it was")
    func failedRename() throws {
        let dir = try Fixtures.scratchDirectory("atomic-file-rename")
        let target = dir + "/occupied"
        try FileManager.default.createDirectory(atPath: target + "/inside", withIntermediateDirectories: true)
        let error = #expect(throws: MediaError.self) {
            try AtomicFile.write(Data("x".utf8), to: target) // rename(2) of a file over a non-empty directory fails
        }
        #expect(error?.code == .io)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["occupied"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["inside"])
    }
}
