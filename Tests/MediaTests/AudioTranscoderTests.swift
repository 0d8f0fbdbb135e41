import CFFmpeg
import Foundation
import Testing
@testable import Media

/// The AAC re-encoder owns no raw handle: a failure at any setup step releases every owner made before it. (That the
/// owners free their C handles when released is checked under LeakSanitizer by `Tools/leakcheck/run.sh`, which
/// injects the same failures.)
@Suite struct AudioTranscoderTests {
    /// Holds an object without keeping it alive.
    final class Watch {
        weak var object: AnyObject?
        let type: String
        init(_ object: AnyObject) {
            self.object = object
            type = String(describing: Swift.type(of: object))
        }
    }

    static let ownersMade: [AudioTranscoder.SetupStep: [String]] = [
        .encoder: ["AACEncoder"],
        .resampler: ["AACEncoder", "Resampler"],
        .fifo: ["AACEncoder", "Resampler", "AudioFIFO"],
        .buffers: ["AACEncoder", "Resampler", "AudioFIFO", "Frame", "Frame", "Packet"],
        .parameters: ["AACEncoder", "Resampler", "AudioFIFO", "Frame", "Frame", "Packet", "CodecParameters"],
    ]

    @Test("a failure injected after a setup step (the resampler, the FIFO, …) releases everything made before it",
          arguments: AudioTranscoder.SetupStep.allCases)
    func failedSetupReleasesOwners(_ step: AudioTranscoder.SetupStep) async throws {
        let input = try InputFile(path: try await Fixture.nonAAC.path)
        let audio = try #require(input.bestAudioStreamIndex)
        var watched: [Watch] = []
        let error = #expect(throws: MediaError.self) {
            try AudioTranscoder(source: input.stream(audio), origin: 0, globalHeader: true) { reached, made throws(MediaError) in
                guard reached == step else { return }
                watched = made.map(Watch.init)
                throw MediaError(.ffmpeg, "injected after \(step)")
            }
        }
        #expect(error?.message == "injected after \(step)")
        #expect(watched.map(\.type) == Self.ownersMade[step])
        let alive = watched.filter { $0.object != nil }.map(\.type)
        #expect(alive.isEmpty, "still alive after the failed init: \(alive)")
    }

    @Test("without an injected failure the same setup succeeds and keeps its owners until it is released")
    func setupSucceeds() async throws {
        let input = try InputFile(path: try await Fixture.nonAAC.path)
        let audio = try #require(input.bestAudioStreamIndex)
        var watched: [Watch] = []
        var transcoder: AudioTranscoder? = try AudioTranscoder(source: input.stream(audio), origin: 0, globalHeader: true) { step, made throws(MediaError) in
            if step == .parameters { watched = made.map(Watch.init) }
        }
        #expect(transcoder?.parameters.pointee.codec_id == AV_CODEC_ID_AAC)
        #expect(watched.count == 7 && watched.allSatisfy { $0.object != nil })
        transcoder = nil
        #expect(watched.allSatisfy { $0.object == nil })
    }
}
