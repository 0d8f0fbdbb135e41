import Foundation
import Testing
@testable import Media

/// Full-decode verification against ffprobe's frame count and durations.
@Suite struct VerifyTests {
    /// The 36 s clip is decoded once for the tests that need it.
    static let tallVerification = Task { () throws -> Verification in
        try await MediaEngine.verify(try await Fixture.tall.path, reportedUs: 36_096_000)
    }

    @Test("frame count equals ffprobe -count_frames; measured duration equals the stream's", arguments: Fixture.healthy)
    func framesAndDuration(_ fixture: Fixture) async throws {
        let path = try await fixture.path
        let verification = fixture == .tall
            ? try await Self.tallVerification.value
            : try await MediaEngine.verify(path)
        let counted = try #require(try await FFprobe.countingFrames(path).video)
        let headers = try await FFprobe.of(path)

        #expect(verification.decodeErrors == 0)
        #expect(verification.reason == nil)
        #expect(verification.verdict == (fixture == .tall ? .match : .unreported))
        #expect(verification.frames == counted.readFrames)
        let measured = try #require(verification.measuredDurationUs)
        if let declared = headers.video?.durationUs {
            // Both are last pts + last frame duration − first pts of the same timestamps. The VFR clip's last
            // packet has no duration (FFmpeg 5.1's muxer): ffprobe counts it as 0, a decoder must guess it.
            let slack: Int64 = fixture == .vfr ? 66_667 : 1_000
            #expect(abs(measured - declared) <= slack, "measured \(measured) µs, ffprobe \(declared) µs")
            #expect(within(verification.declaredDurationUs, declared, 1_000))
        } else {
            // Matroska keeps no per-stream duration: the container's covers audio too, within a frame.
            let container = try #require(headers.format?.durationUs)
            #expect(abs(measured - container) <= 34_000, "measured \(measured) µs, container \(container) µs")
        }
        #expect((verification.audioFrames > 0) == (headers.audio != nil))
        if let audioDuration = headers.audio?.durationUs {
            // Decoded audio may keep the encoder's end padding that an edit list trims: within one AAC frame.
            #expect(within(verification.audioDurationUs, audioDuration, 24_000), "audio duration")
        }
    }

    @Test("the 36 s clip matches its reported 36 096 000 µs")
    func tallMatchesReported() async throws {
        let v = try await Self.tallVerification.value
        #expect(v.verdict == .match)
        #expect(v.reportedDurationUs == 36_096_000)
        let measured = try #require(v.measuredDurationUs)
        #expect(v.deltaUs == measured - 36_096_000)
        // Default tolerance: the larger of 100 ms and two 30 fps frames.
        #expect(v.toleranceUs == 100_000)
        #expect(abs(v.deltaUs ?? .max) <= v.toleranceUs)
        #expect(v.frames == 1083)
    }

    @Test("a wrong reported duration is a mismatch with the sign of measured − reported")
    func mismatch() async throws {
        let path = try await Fixture.wide.path
        let tooLong = try await MediaEngine.verify(path, reportedUs: 9_000_000)
        #expect(tooLong.verdict == .mismatch)
        let measured = try #require(tooLong.measuredDurationUs)
        #expect(tooLong.deltaUs == measured - 9_000_000)
        #expect((tooLong.deltaUs ?? 0) < -4_000_000)

        let tooShort = try await MediaEngine.verify(path, reportedUs: 1_000_000)
        #expect(tooShort.verdict == .mismatch)
        #expect(tooShort.deltaUs == measured - 1_000_000)
        #expect((tooShort.deltaUs ?? 0) > 2_900_000)
    }

    @Test("nothing reported: unreported, no delta")
    func unreported() async throws {
        let v = try await MediaEngine.verify(try await Fixture.silent.path, reportedUs: nil)
        #expect(v.verdict == .unreported)
        #expect(v.deltaUs == nil)
        #expect(v.reportedDurationUs == nil)
        #expect(v.measuredDurationUs != nil)
    }

    @Test("the tolerance is configurable and decides match versus mismatch")
    func tolerance() async throws {
        let path = try await Fixture.wide.path
        let measured = try #require(try await MediaEngine.verify(path).measuredDurationUs)
        let reported = measured + 50_000
        let loose = try await MediaEngine.verify(path, reportedUs: reported)
        #expect(loose.verdict == .match)
        #expect(loose.deltaUs == -50_000)
        let strict = try await MediaEngine.verify(path, reportedUs: reported, tolerance: DurationTolerance(minimumUs: 10_000, frames: 1))
        #expect(strict.verdict == .mismatch)
        #expect(strict.toleranceUs == 33_333 || strict.toleranceUs == 33_334)
        #expect(DurationTolerance().resolve(frameDurationUs: 66_667) == 133_334)
        #expect(DurationTolerance().resolve(frameDurationUs: 20_000) == 100_000)
    }

    @Test("a variable frame rate clip matches ffprobe's duration")
    func variableFrameRate() async throws {
        let path = try await Fixture.vfr.path
        let declared = try #require(try await FFprobe.of(path).video?.durationUs)
        let v = try await MediaEngine.verify(path, reportedUs: declared)
        #expect(v.verdict == .match)
        // ffprobe ends the clip at the last frame's timestamp (its packet has no duration); the engine adds a
        // frame duration estimated from the average rate: at most one 15 fps frame apart.
        #expect((0...66_667).contains(v.deltaUs ?? -1), "delta \(v.deltaUs ?? 0) µs")
        // 2 s at 30 fps + 2 s at 15 fps: 90 frames.
        #expect(v.frames == 90)
        // A wrong report is still caught on a VFR clip.
        let wrong = try await MediaEngine.verify(path, reportedUs: declared + 500_000)
        #expect(wrong.verdict == .mismatch)
    }

    @Test("a cut-short or non-media file is undecodable, even with a matching report",
          arguments: [Fixture.truncated, .truncatedFaststart, .text])
    func undecodable(_ fixture: Fixture) async throws {
        let path = try await fixture.path
        let v = try await MediaEngine.verify(path, reportedUs: 4_000_000)
        #expect(v.verdict == .undecodable)
        #expect(v.reason?.isEmpty == false)
        if fixture == .truncatedFaststart {
            let all = try #require(try await FFprobe.countingFrames(try await Fixture.wideFaststart.path).video?.readFrames)
            #expect(v.frames < all)
        }
    }

    @Test("damaged picture data that the decoder conceals is undecodable, never match")
    func concealedErrors() async throws {
        let path = try await Fixture.corrupted.path
        // The oracle: ffmpeg decoding the video reports errors, so the fixture really is damaged.
        let oracle = try await CommandLineTool.runAllowingFailure("ffmpeg", [
            "-hide_banner", "-nostdin", "-v", "error", "-i", path, "-map", "0:v", "-f", "null", "-",
        ])
        let log = String(decoding: oracle.stderr, as: UTF8.self)
        try #require(log.contains("error while decoding") || log.contains("Invalid"), "ffmpeg saw no damage: \(log)")

        let v = try await MediaEngine.verify(path, reportedUs: 4_000_000)
        #expect(v.frames > 0)
        // A flipped byte lands in slice data (concealed, flagged in the frame's decode_error_flags) or in a NAL
        // header (a failed send): either way it is counted.
        #expect(v.verdict == .undecodable, "verdict \(v.verdict), \(v.decodeErrors) decode errors")
        #expect(v.decodeErrors > 0)
    }

    @Test("a file without video is undecodable; stills from it are a noVideoStream error")
    func audioOnly() async throws {
        let path = try await Fixture.audioOnly.path
        let v = try await MediaEngine.verify(path, reportedUs: 1_000_000)
        #expect(v.verdict == .undecodable)
        #expect(v.reason?.isEmpty == false)
        let dir = try Fixtures.scratchDirectory("audio-only")
        let error = await #expect(throws: MediaError.self) {
            try await MediaEngine.thumbnails(path, request: ThumbnailRequest(count: 1), directory: dir)
        }
        #expect(error?.code == .noVideoStream)
    }

    @Test("undecodable wins over every other verdict")
    func undecodableWins() {
        let judged = Verification.judge(path: "x", measuredUs: 4_000_000, reportedUs: 4_000_000, declaredUs: 4_000_000, frames: 120,
                                        decodeErrors: 1, toleranceUs: 100_000, audioFrames: 0, audioDurationUs: nil, failure: nil)
        #expect(judged.verdict == .undecodable)
        let early = Verification.judge(path: "x", measuredUs: 2_000_000, reportedUs: 2_000_000, declaredUs: 4_000_000, frames: 60,
                                       decodeErrors: 0, toleranceUs: 100_000, audioFrames: 0, audioDurationUs: nil, failure: nil)
        #expect(early.verdict == .undecodable)
        let clean = Verification.judge(path: "x", measuredUs: 4_000_000, reportedUs: 4_050_000, declaredUs: 4_000_000, frames: 120,
                                       decodeErrors: 0, toleranceUs: 100_000, audioFrames: 0, audioDurationUs: nil, failure: nil)
        #expect(clean.verdict == .match)
        #expect(clean.deltaUs == -50_000)
    }
}
