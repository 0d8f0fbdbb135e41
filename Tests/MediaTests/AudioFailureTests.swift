import Foundation
import Testing
@testable import Media

/// An audio stream whose decoder cannot be opened no longer vanishes silently (documented on
/// `Verification.audioFailure`): the video is still verified, the failure is reported, and renditions that would have to
/// re-encode that audio fail with an error that says so instead of being written without sound.
@Suite struct AudioFailureTests {
    @Test("verify measures the video as if the audio were fine, and reports why the audio could not be decoded")
    func verifyReportsAudioFailure() async throws {
        let broken = try await MediaEngine.verify(try await Fixture.unopenableAudio.path, reportedUs: 3_000_000)
        // The same bytes of video with working audio: the oracle for what the video measures.
        let healthy = try await MediaEngine.verify(try await Fixture.nonAAC.path, reportedUs: 3_000_000)
        #expect(healthy.audioFailure == nil && healthy.audioFrames > 0)

        #expect(broken.verdict == healthy.verdict)
        #expect(broken.verdict != .undecodable)
        #expect(broken.frames == healthy.frames)
        #expect(broken.measuredDurationUs == healthy.measuredDurationUs)
        #expect(broken.audioFrames == 0 && broken.audioDurationUs == nil)
        let failure = try #require(broken.audioFailure)
        #expect(failure.contains("opus"), "\(failure)")
    }

    @Test("the failure is in the verification's JSON, and the key is absent when audio decodes")
    func json() async throws {
        let broken = try await MediaEngine.verify(try await Fixture.unopenableAudio.path)
        let healthy = try await MediaEngine.verify(try await Fixture.nonAAC.path)
        let brokenJSON = try JSONSerialization.jsonObject(with: JSONEncoder().encode(broken)) as? [String: Any]
        let healthyJSON = try JSONSerialization.jsonObject(with: JSONEncoder().encode(healthy)) as? [String: Any]
        let failure = try #require(broken.audioFailure)
        #expect(brokenJSON?["audioFailure"] as? String == failure)
        #expect(healthyJSON?["audioFailure"] == nil)
        #expect(try JSONDecoder().decode(Verification.self, from: JSONEncoder().encode(broken)) == broken)
    }

    @Test("renditions that must re-encode the audio fail with a clear error and leave no file; stills still work")
    func renditionsFail() async throws {
        let path = try await Fixture.unopenableAudio.path
        let dir = try Fixtures.scratchDirectory("audio-failure")
        let error = await #expect(throws: MediaError.self) {
            try await MediaEngine.process(path, PassRequest(presets: [try RenditionPreset(parsing: "240p")],
                                                            renditionDirectory: dir + "/renditions"))
        }
        #expect(error?.message.contains("renditions need the audio re-encoded to AAC") == true, "\(String(describing: error))")
        #expect(error?.message.contains("opus") == true, "\(String(describing: error))")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/renditions")) ?? []
        #expect(left.isEmpty, "left behind: \(left)")

        let stills = try await MediaEngine.process(path, PassRequest(thumbnails: ThumbnailRequest(count: 2),
                                                                     thumbnailDirectory: dir + "/stills"))
        #expect(stills.thumbnails.thumbnails.count == 2)
        #expect(stills.verification.audioFailure != nil)
    }
}
