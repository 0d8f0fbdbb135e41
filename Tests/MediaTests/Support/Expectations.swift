import Foundation
import Testing
@testable import Media

// Shared expectations on files the engine wrote, checked with the ffmpeg CLI.

/// The file exists and ffprobe decodes it as an image of the codec and size the engine reported.
func expectImage(_ still: StillImage, codec: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    #expect(FileManager.default.fileExists(atPath: still.path), "\(still.path) missing", sourceLocation: sourceLocation)
    let stream = try #require(try await FFprobe.of(still.path).video, sourceLocation: sourceLocation)
    #expect(stream.codec_name == codec, sourceLocation: sourceLocation)
    #expect(stream.width == still.width && stream.height == still.height,
            "\(still.path) is \(stream.width ?? 0)×\(stream.height ?? 0), reported \(still.width)×\(still.height)",
            sourceLocation: sourceLocation)
}

/// The rendition's frame at 1 s is the picture ffmpeg's `oracle` filter makes from the source's frame at 1 s.
func expectPicture(_ rendition: String, source: String, _ expected: RenditionTests.Expected,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let mine = try await GrayImage.frame(of: rendition, at: 1.0, width: expected.width, height: expected.height, filter: "null")
    let theirs = try await GrayImage.frame(of: source, at: 1.0, width: expected.width, height: expected.height, filter: expected.oracle)
    let r = mine.correlation(with: theirs)
    #expect(r > 0.9, "\(expected.preset): correlation with ffmpeg's \(expected.oracle): \(r)", sourceLocation: sourceLocation)
}

/// The output's video lasts as long as the source's video, within the pass's tolerance.
func expectDuration(_ output: FFprobe, matches source: FFprobe, tolerance: Int64,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
    let out = try #require(output.video?.durationUs ?? output.format?.durationUs, sourceLocation: sourceLocation)
    let src = try #require(source.video?.durationUs ?? source.format?.durationUs, sourceLocation: sourceLocation)
    #expect(abs(out - src) <= tolerance, "rendition \(out) µs, source \(src) µs", sourceLocation: sourceLocation)
}

/// `moov` comes before `mdat` (`+faststart`): a player can start before the download ends.
func expectFaststart(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let boxes = try topLevelBoxes(path)
    let moov = try #require(boxes.firstIndex(of: "moov"), "no moov in \(boxes)", sourceLocation: sourceLocation)
    let mdat = try #require(boxes.firstIndex(of: "mdat"), "no mdat in \(boxes)", sourceLocation: sourceLocation)
    #expect(moov < mdat, "boxes: \(boxes)", sourceLocation: sourceLocation)
}

/// Both nil, or both set and at most `tolerance` apart.
func within(_ a: Int64?, _ b: Int64?, _ tolerance: Int64) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (a?, b?): return abs(a - b) <= tolerance
    default: return false
    }
}

func fileSize(_ path: String) -> Int64? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
}
