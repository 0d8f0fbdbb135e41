import Foundation
import Testing
@testable import Media

/// An HEVC source through every stage. Skipped when this ffmpeg cannot encode HEVC (no libx265) to make the fixture.
@Suite(.enabled("ffmpeg has no libx265 encoder to generate the HEVC fixture") { await CommandLineTool.hasEncoder("libx265") })
struct HEVCTests {
    @Test("probe matches ffprobe")
    func probe() async throws {
        let path = try await Fixture.hevc.path
        let video = try #require(try await MediaEngine.probe(path).video)
        let oracle = try #require(try await FFprobe.of(path).video)
        #expect(video.codec == "hevc" && oracle.codec_name == "hevc")
        #expect(video.width == oracle.width && video.height == oracle.height)
        #expect(within(video.durationUs, oracle.durationUs, 1_000))
    }

    @Test("verify counts ffprobe's frames and matches ffprobe's duration")
    func verify() async throws {
        let path = try await Fixture.hevc.path
        let declared = try #require(try await FFprobe.of(path).video?.durationUs)
        let v = try await MediaEngine.verify(path, reportedUs: declared)
        #expect(v.verdict == .match)
        #expect(v.decodeErrors == 0)
        #expect(v.frames == (try await FFprobe.countingFrames(path).video?.readFrames))
        #expect(within(v.measuredDurationUs, declared, 1_000))
    }

    @Test("one pass: a still and an H.264 rendition")
    func pass() async throws {
        let path = try await Fixture.hevc.path
        let dir = try Fixtures.scratchDirectory("hevc")
        let report = try await MediaEngine.process(path, PassRequest(
            thumbnails: ThumbnailRequest(times: [1.0], thumbnailLongSide: 320), thumbnailDirectory: dir,
            presets: [try RenditionPreset(parsing: "240p")], renditionDirectory: dir))
        let still = try #require(report.thumbnails.thumbnails.first)
        try await expectImage(still, codec: "mjpeg")
        #expect(abs(still.timeUs - 1_000_000) <= 33_334)
        let result = try #require(report.renditions.first)
        let output = try await FFprobe.of(result.path)
        #expect(output.video?.codec_name == "h264")
        #expect(output.video?.width == 426 && output.video?.height == 240)
        try expectDuration(output, matches: try await FFprobe.of(path), tolerance: report.verification.toleranceUs)
    }
}
