import Foundation
import Testing
@testable import Media

/// Header probes against ffprobe on the same file.
@Suite struct ProbeTests {
    @Test("durations, sizes, codecs and audio format equal ffprobe's", arguments: Fixture.healthy + [.truncatedFaststart])
    func matchesFFprobe(_ fixture: Fixture) async throws {
        let path = try await fixture.path
        let probe = try await MediaEngine.probe(path)
        let oracle = try await FFprobe.of(path)

        #expect(probe.path == path)
        #expect(!probe.formatName.isEmpty)
        #expect(probe.formatName == oracle.format?.format_name)
        #expect(within(probe.durationUs, oracle.format?.durationUs, 1_000), "container duration")
        #expect(within(probe.startTimeUs, oracle.format?.startTimeUs, 1_000), "container start time")
        #expect(probe.sizeBytes == fileSize(path))
        try #require(probe.streams.count == oracle.streams.count)
        for (mine, theirs) in zip(probe.streams, oracle.streams) {
            #expect(mine.index == theirs.index)
            #expect(mine.type == theirs.codec_type)
            #expect(mine.codec == theirs.codec_name)
            #expect(within(mine.durationUs, theirs.durationUs, 1_000), "stream \(mine.index) duration")
            #expect(within(mine.startTimeUs, theirs.startTimeUs, 1_000), "stream \(mine.index) start time")
            if mine.type == "video" {
                #expect(mine.width == theirs.width)
                #expect(mine.height == theirs.height)
                #expect(mine.rotation == theirs.rotationCW)
                #expect(mine.displayWidth == theirs.displayWidth)
                #expect(mine.displayHeight == theirs.displayHeight)
            }
            if mine.type == "audio" {
                #expect(mine.sampleRate == theirs.sampleRate)
                #expect(mine.channels == theirs.channels)
            }
        }
    }

    @Test("the 36 s 9:16 clip: 1080×1920 H.264, stereo 48 kHz AAC, read from headers quickly")
    func tallClip() async throws {
        let path = try await Fixture.tall.path
        let clock = ContinuousClock()
        let start = clock.now
        let probe = try await MediaEngine.probe(path)
        let elapsed = clock.now - start
        let video = try #require(probe.video)
        let audio = try #require(probe.audio)
        #expect(video.codec == "h264")
        #expect(video.width == 1080 && video.height == 1920)
        #expect(video.displayWidth == 1080 && video.displayHeight == 1920)
        #expect(video.rotation == 0)
        #expect(video.sampleAspectRatio == nil)
        #expect(abs((video.avgFrameRate ?? 0) - 30) < 0.01)
        #expect(audio.codec == "aac")
        #expect(audio.sampleRate == 48_000)
        #expect(audio.channels == 2)
        #expect(within(audio.durationUs, 36_096_000, 1_000))
        #expect(probe.durationEstimation != "bitrate")
        // A probe reads headers only (speed is measured by Tools/bench case 1); a loose bound on a shared machine.
        #expect(elapsed < .seconds(20), "probe took \(elapsed)")
    }

    @Test("rotation metadata: 90° clockwise, displayed size swapped")
    func rotated() async throws {
        let path = try await Fixture.rotated.path
        let oracle = try #require(try await FFprobe.of(path).video)
        // The fixture really carries a display matrix (ffprobe reports it counter-clockwise).
        #expect(oracle.side_data_list?.contains { $0.side_data_type == "Display Matrix" } == true)
        #expect(oracle.rotationCCW == -90)
        let video = try #require(try await MediaEngine.probe(path).video)
        #expect(video.rotation == 90)
        #expect(video.width == 640 && video.height == 360)
        #expect(video.displayWidth == 360 && video.displayHeight == 640)
    }

    @Test("non-square pixels: the sample aspect ratio, and the displayed size in square pixels")
    func anamorphic() async throws {
        let video = try #require(try await MediaEngine.probe(try await Fixture.anamorphic.path).video)
        #expect(video.width == 480 && video.height == 360)
        #expect(video.sampleAspectRatio == "4:3")
        #expect(video.displayWidth == 640 && video.displayHeight == 360)
    }

    @Test("an audio-only file probes, with no video stream")
    func audioOnly() async throws {
        let probe = try await MediaEngine.probe(try await Fixture.audioOnly.path)
        #expect(probe.video == nil)
        #expect(probe.audio?.codec == "aac")
        #expect(probe.audio?.sampleRate == 48_000)
    }

    @Test("a clip whose timestamps start at 2 s reports that start time")
    func startTime() async throws {
        let path = try await Fixture.offset.path
        let probe = try await MediaEngine.probe(path)
        // The container starts a little before 2 s: AAC priming samples come first.
        let start = try #require(probe.startTimeUs)
        #expect(abs(start - 2_000_000) <= 30_000, "start \(start) µs")
        #expect(within(probe.video?.startTimeUs, 2_000_000, 1_000))
    }

    @Test("a file that is not media, or lost its index, is a typed notMedia error", arguments: [Fixture.text, .truncated])
    func notMedia(_ fixture: Fixture) async throws {
        let path = try await fixture.path
        let error = await #expect(throws: MediaError.self) { try await MediaEngine.probe(path) }
        #expect(error?.code == .notMedia)
        #expect(error?.description.contains(path) == true)
        let now = #expect(throws: MediaError.self) { try MediaEngine.probeNow(path) }
        #expect(now?.code == .notMedia)
    }

    @Test("a missing file is an I/O error, not notMedia")
    func missingFile() async throws {
        let path = Fixtures.root + "/does-not-exist.mp4"
        let error = await #expect(throws: MediaError.self) { try await MediaEngine.probe(path) }
        #expect(error?.code == .io)
    }

    @Test("probeNow and probe agree")
    func probeNowAgrees() async throws {
        let path = try await Fixture.wide.path
        #expect(try MediaEngine.probeNow(path) == (try await MediaEngine.probe(path)))
    }
}
