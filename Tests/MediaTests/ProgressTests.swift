import Foundation
import Synchronization
import Testing
@testable import Media

/// Progress callbacks: fractions of the source's duration, increasing, ending at exactly 1.
@Suite struct ProgressTests {
    /// Collects what a progress callback reports (it is called on the media thread).
    final class Recorder: Sendable {
        private let values = Mutex<[Double]>([])
        var progress: MediaEngine.Progress { { value in self.values.withLock { $0.append(value) } } }
        var reported: [Double] { values.withLock { $0 } }
    }

    @Test("verify reports increasing fractions ending at 1.0")
    func verify() async throws {
        let recorder = Recorder()
        _ = try await MediaEngine.verify(try await Fixture.wide.path, progress: recorder.progress)
        expectProgress(recorder.reported, atLeast: 20)
    }

    @Test("a pass with renditions and stills reports increasing fractions ending at 1.0")
    func process() async throws {
        let recorder = Recorder()
        let dir = try Fixtures.scratchDirectory("progress")
        let request = PassRequest(thumbnails: ThumbnailRequest(count: 2), thumbnailDirectory: dir + "/stills",
                                  presets: [try RenditionPreset(parsing: "240p")], renditionDirectory: dir)
        _ = try await MediaEngine.process(try await Fixture.offset.path, request, progress: recorder.progress)
        expectProgress(recorder.reported, atLeast: 20)
    }

    @Test("thumbnails by seeking end at 1.0")
    func thumbnails() async throws {
        let recorder = Recorder()
        let dir = try Fixtures.scratchDirectory("progress-thumbs")
        _ = try await MediaEngine.thumbnails(try await Fixture.wide.path, request: ThumbnailRequest(count: 3), directory: dir,
                                             progress: recorder.progress)
        expectProgress(recorder.reported, atLeast: 1)
    }

    func expectProgress(_ values: [Double], atLeast count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(values.count >= count, "\(values.count) progress reports", sourceLocation: sourceLocation)
        #expect(values.last == 1.0, "last report \(values.last ?? -1)", sourceLocation: sourceLocation)
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 }, "out of 0...1: \(values)", sourceLocation: sourceLocation)
        let decreasing = zip(values, values.dropFirst()).filter { $0 > $1 }
        #expect(decreasing.isEmpty, "decreasing steps: \(decreasing)", sourceLocation: sourceLocation)
        // The last report before 1.0 is close to the end: fractions are of the duration actually decoded.
        if values.count >= 2 {
            #expect(values[values.count - 2] > 0.9, "before 1.0: \(values[values.count - 2])", sourceLocation: sourceLocation)
        }
    }
}
