import Foundation
import Testing
@testable import Media

/// Renditions written by `MediaEngine.process`, checked with ffprobe: size, codecs, duration, faststart.
@Suite struct RenditionTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        let preset: String
        let width: Int
        let height: Int
        /// An ffmpeg filter that makes the same picture from the source (the oracle for the content).
        let oracle: String
        var testDescription: String { "\(preset) → \(width)×\(height)" }
    }

    static let tallLadder = [
        Expected(preset: "720p", width: 720, height: 1280, oracle: "scale=720:1280"),
        Expected(preset: "480p", width: 480, height: 854, oracle: "scale=480:854"),
        Expected(preset: "1x1-720p-crop", width: 720, height: 720, oracle: "crop=1080:1080,scale=720:720"),
        Expected(preset: "16x9-480p-pad", width: 854, height: 480, oracle: "scale=270:480,pad=854:480:292:0"),
    ]

    /// One pass over the 36 s 1080×1920 clip writes the whole ladder (default encoder settings).
    static let tallPass = Task { () throws -> (report: PassReport, directory: String) in
        let dir = try Fixtures.scratchDirectory("renditions-tall")
        let presets = try RenditionPreset.list(tallLadder.map(\.preset).joined(separator: ","))
        let report = try await MediaEngine.process(try await Fixture.tall.path, PassRequest(
            reportedDurationUs: 36_096_000, presets: presets, renditionDirectory: dir))
        return (report, dir)
    }

    @Test("the 36 s 9:16 clip: each preset's size, H.264 + AAC, the source's duration and frames, index first",
          arguments: tallLadder)
    func tallRendition(_ expected: Expected) async throws {
        let (report, dir) = try await Self.tallPass.value
        #expect(report.verification.verdict == .match)
        #expect(report.skipped.isEmpty)
        let result = try #require(report.renditions.first { $0.preset == expected.preset })
        #expect(result.path == "\(dir)/\(expected.preset).mp4")
        #expect(result.width == expected.width && result.height == expected.height)

        let source = try await FFprobe.of(try await Fixture.tall.path)
        let output = try await FFprobe.of(result.path)
        let video = try #require(output.video)
        #expect(video.codec_name == "h264")
        #expect(video.displayWidth == expected.width && video.displayHeight == expected.height)
        #expect(video.headerFrames == source.video?.headerFrames, "frames: \(video.headerFrames ?? 0)")
        let audio = try #require(output.audio)
        #expect(audio.codec_name == "aac")
        #expect(audio.sampleRate == 48_000 && audio.channels == 2)
        try expectDuration(output, matches: source, tolerance: report.verification.toleranceUs)
        #expect(within(result.durationUs, video.durationUs, 1_000))
        #expect(result.bytes == fileSize(result.path))
        try expectFaststart(result.path)
        try await expectPicture(result.path, source: try await Fixture.tall.path, expected)
    }

    @Test("the pass over the 36 s clip leaves only the finished renditions in the directory")
    func noPartialFiles() async throws {
        let (_, dir) = try await Self.tallPass.value
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == Self.tallLadder.map { "\($0.preset).mp4" }.sorted())
    }

    @Test("the pass reports the same probe as MediaEngine.probe")
    func passProbe() async throws {
        let (report, _) = try await Self.tallPass.value
        #expect(report.probe == (try await MediaEngine.probe(try await Fixture.tall.path)))
        #expect(report.seconds > 0)
    }

    @Test("crop and pad place the picture where ffmpeg's crop and pad filters do", arguments: [
        (Fixture.wide, Expected(preset: "1x1-360p-crop", width: 360, height: 360, oracle: "crop=360:360")),
        (Fixture.wide, Expected(preset: "9x16-360p-pad", width: 360, height: 640, oracle: "scale=360:202,pad=360:640:0:218")),
        (Fixture.anamorphic, Expected(preset: "240p", width: 426, height: 240, oracle: "scale=426:240")),
        (Fixture.anamorphic, Expected(preset: "1x1-240p-crop", width: 240, height: 240, oracle: "scale=640:360,crop=360:360,scale=240:240")),
    ])
    func geometry(_ fixture: Fixture, _ expected: Expected) async throws {
        let path = try await fixture.path
        let dir = try Fixtures.scratchDirectory("renditions-geometry")
        let report = try await MediaEngine.process(path, PassRequest(presets: [try RenditionPreset(parsing: expected.preset)],
                                                                     renditionDirectory: dir))
        let result = try #require(report.renditions.first)
        #expect(result.width == expected.width && result.height == expected.height)
        let video = try #require(try await FFprobe.of(result.path).video)
        #expect(video.width == expected.width && video.height == expected.height)
        #expect(video.sar == 1, "square pixels out: \(video.sample_aspect_ratio ?? "?")")
        try await expectPicture(result.path, source: path, expected)
    }

    @Test("renditions of an undecodable source are not kept", arguments: [Fixture.truncatedFaststart, .text])
    func undecodableSource(_ fixture: Fixture) async throws {
        let dir = try Fixtures.scratchDirectory("renditions-broken")
        let report = try await MediaEngine.process(try await fixture.path, PassRequest(
            presets: [try RenditionPreset(parsing: "240p")], renditionDirectory: dir))
        #expect(report.verification.verdict == .undecodable)
        #expect(report.renditions.isEmpty)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).isEmpty)
        if fixture == .truncatedFaststart {
            #expect(report.skipped.map(\.preset) == ["240p"])
            #expect(report.skipped.first?.reason.contains("undecodable") == true)
        }
    }

    @Test("a preset larger than the source is skipped with a reason, never upscaled")
    func neverUpscales() async throws {
        let dir = try Fixtures.scratchDirectory("renditions-upscale")
        let presets = try RenditionPreset.list("1080p,360p,240p,1x1-720p-crop")
        let report = try await MediaEngine.process(try await Fixture.wide.path, PassRequest(presets: presets, renditionDirectory: dir))
        #expect(Set(report.skipped.map(\.preset)) == ["1080p", "1x1-720p-crop"])
        for skipped in report.skipped {
            #expect(skipped.reason.contains("upscale"), "\(skipped.preset): \(skipped.reason)")
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/\(skipped.preset).mp4"))
        }
        let sizes = report.renditions.map { "\($0.preset)=\($0.width)x\($0.height)" }
        #expect(sizes == ["360p=640x360", "240p=426x240"])
        for result in report.renditions {
            let video = try #require(try await FFprobe.of(result.path).video)
            #expect(video.width == result.width && video.height == result.height)
        }
    }

    @Test("short clips keep their duration, frames, start and audio at 240p", arguments: [
        Fixture.wide, .silent, .vfr, .offset, .blackStart, .nonAAC, .anamorphic,
    ])
    func keepsDuration(_ fixture: Fixture) async throws {
        let path = try await fixture.path
        let dir = try Fixtures.scratchDirectory("renditions-\(fixture.rawValue)")
        let report = try await MediaEngine.process(path, PassRequest(presets: [try RenditionPreset(parsing: "240p")], renditionDirectory: dir))
        let result = try #require(report.renditions.first)
        let source = try await FFprobe.of(path)
        let sourceFrames = try await FFprobe.countingFrames(path).video?.readFrames
        let output = try await FFprobe.of(result.path)
        let video = try #require(output.video)
        let (sw, sh) = (source.video?.displayWidth ?? 0, source.video?.displayHeight ?? 0)

        #expect(min(result.width, result.height) == 240)
        #expect(result.width % 2 == 0 && result.height % 2 == 0)
        #expect(abs(Double(result.width) / Double(result.height) - Double(sw) / Double(sh)) < 0.01, "aspect kept")
        #expect(video.width == result.width && video.height == result.height)
        #expect(video.codec_name == "h264")
        #expect(video.headerFrames == sourceFrames)
        try expectDuration(output, matches: source, tolerance: report.verification.toleranceUs)
        // Outputs start at zero, even when the source's timestamps do not.
        #expect((output.format?.startTimeUs ?? .max) <= 50_000, "starts at \(output.format?.start_time ?? "?") s")
        #expect((output.audio != nil) == (source.audio != nil))
        if let audio = output.audio {
            #expect(audio.codec_name == "aac")
            #expect(within(audio.durationUs, video.durationUs, 100_000), "audio \(audio.duration ?? "?") s, video \(video.duration ?? "?") s")
            // Audio stays in sync: the offset between the streams' starts is the source's, within an AAC frame.
            let lead = { (p: FFprobe) in (p.video?.startTimeUs ?? 0) - (p.audio?.startTimeUs ?? 0) }
            #expect(abs(lead(output) - lead(source)) <= 24_000, "video − audio start: \(lead(output)) µs, source \(lead(source)) µs")
        }
        try expectFaststart(result.path)
    }

    @Test("encoder settings apply: CRF changes the size; a bad x264 preset fails and leaves no file behind")
    func encoderSettings() async throws {
        let path = try await Fixture.wide.path
        let dir = try Fixtures.scratchDirectory("renditions-encoder")
        let presets = [try RenditionPreset(parsing: "240p")]
        var sizes: [Int64] = []
        for crf in [16, 40] {
            let report = try await MediaEngine.process(path, PassRequest(presets: presets, renditionDirectory: "\(dir)/crf\(crf)",
                                                                         encoder: EncoderSettings(preset: "ultrafast", crf: crf)))
            sizes.append(try #require(report.renditions.first).bytes)
        }
        #expect(sizes[0] > 2 * sizes[1], "crf 16: \(sizes[0]) bytes, crf 40: \(sizes[1]) bytes")

        let error = await #expect(throws: MediaError.self) {
            try await MediaEngine.process(path, PassRequest(presets: presets, renditionDirectory: "\(dir)/bad",
                                                            encoder: EncoderSettings(preset: "warp-speed")))
        }
        #expect(error?.message.contains("libx264") == true, "\(error.map { "\($0)" } ?? "")")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/bad")) ?? []).isEmpty)
    }

    @Test("non-AAC audio is re-encoded to AAC; AAC audio is copied")
    func audioCodec() async throws {
        let opus = try await Fixture.nonAAC.path
        #expect(try await FFprobe.of(opus).audio?.codec_name == "opus")
        let dir = try Fixtures.scratchDirectory("renditions-audio")
        let presets = [try RenditionPreset(parsing: "240p")]
        let reencoded = try await MediaEngine.process(opus, PassRequest(presets: presets, renditionDirectory: dir + "/opus"))
        let reencodedPath = try #require(reencoded.renditions.first?.path)
        let out = try #require(try await FFprobe.of(reencodedPath).audio)
        #expect(out.codec_name == "aac")
        #expect(out.sampleRate == 48_000 && out.channels == 1)

        let copied = try await MediaEngine.process(try await Fixture.wide.path, PassRequest(presets: presets, renditionDirectory: dir + "/aac"))
        let copiedPath = try #require(copied.renditions.first?.path)
        let copy = try #require(try await FFprobe.of(copiedPath).audio)
        #expect(copy.codec_name == "aac")
        #expect(copy.sampleRate == 44_100 && copy.channels == 1)
    }

    @Test("a rotated source: renditions keep the rotation and display at the preset's size, upright")
    func rotatedSource() async throws {
        let path = try await Fixture.rotated.path
        let dir = try Fixtures.scratchDirectory("renditions-rotated")
        let report = try await MediaEngine.process(path, PassRequest(presets: try RenditionPreset.list("360p,240p,1x1-240p-crop"),
                                                                     renditionDirectory: dir))
        #expect(report.skipped.isEmpty)
        let sizes = report.renditions.map { "\($0.preset)=\($0.width)x\($0.height)" }
        #expect(sizes == ["360p=360x640", "240p=240x426", "1x1-240p-crop=240x240"])
        for result in report.renditions {
            let video = try #require(try await FFprobe.of(result.path).video)
            #expect(video.displayWidth == result.width && video.displayHeight == result.height, "\(result.preset)")
        }
        // ffmpeg, applying the output's rotation, shows the white block top-right, as in the source; the output
        // carries the source's turn (90° clockwise), not the opposite one (which has the same displayed size).
        let first = try #require(report.renditions.first?.path)
        let shown = try await GrayImage.frame(of: first, at: 1.0, width: 360, height: 640)
        let oracle = try #require(try await FFprobe.of(first).video)
        let probed = try await MediaEngine.probe(first).video
        #expect(oracle.rotationCW == 90)
        #expect(probed?.rotation == 90)
        #expect(shown.mean(x: 180, y: 0, width: 180, height: 320) > 200, "top-right")
        #expect(shown.mean(x: 0, y: 320, width: 180, height: 320) < 80, "bottom-left")
    }
}
