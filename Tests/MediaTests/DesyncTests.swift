import Foundation
import Testing
@testable import Media

/// Audio and video of different lengths (a generated voice that runs past its picture): `avDesyncUs` is audio minus
/// video, `avDesync` flags it beyond the tolerance, and the verdict is judged on the video as before.
@Suite struct DesyncTests {
    @Test func audioLongerThanTheVideoIsFlaggedAndTheVerdictStands() async throws {
        let dir = try Fixtures.scratchDirectory("desync")
        let file = dir + "/desync.mp4"
        // 2 s of picture, 3 s of sound (no -shortest).
        try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2", "-f", "lavfi", "-i", "sine=f=440:d=3",
                                          "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", file])
        let probe = try await FFprobe.of(file)
        let video = try #require(probe.video?.durationUs), audio = try #require(probe.audio?.durationUs)
        let verification = try await MediaEngine.verify(file, reportedUs: 2_000_000)
        #expect(verification.verdict == .match, "judged on the video")
        let desync = try #require(verification.avDesyncUs)
        #expect(abs(desync - (audio - video)) <= 50_000, "audio − video \(desync) µs, ffprobe \(audio - video) µs")
        #expect(verification.avDesync)

        let inStep = dir + "/in-step.mp4"
        try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2", "-f", "lavfi", "-i", "sine=f=440:d=2",
                                          "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", inStep])
        let steady = try await MediaEngine.verify(inStep, reportedUs: 2_000_000)
        #expect(steady.avDesync == false && abs(steady.avDesyncUs ?? .max) <= steady.toleranceUs, "\(String(describing: steady.avDesyncUs))")
        let silent = try await MediaEngine.verify(try await Fixture.silent.path)
        #expect(silent.avDesyncUs == nil && silent.avDesync == false, "no audio, nothing to compare")
    }
}
