import Foundation
import Testing
@testable import Media

/// Media that real users have (issue 12): frames without timestamps, seeking that lands nowhere, a late video start,
/// audio the AAC encoder cannot take, interlaced pictures, times past the end. Each input is made with the ffmpeg CLI;
/// ffmpeg/ffprobe decoding the file from its start is the oracle.
@Suite struct OddMediaTests {
    private static let x264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]

    /// Video frame times (seconds) as ffprobe decodes them.
    private static func frameTimes(_ file: String) async throws -> [Double] {
        let out = try await CommandLineTool.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                            "frame=best_effort_timestamp_time", "-of", "csv=p=0", file])
        return String(decoding: out, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The frame ffmpeg shows at `seconds` after the file's start, decoding from the start (an output-side `-ss`:
    /// no seek that could land between keyframes), scaled to `width`×`height`.
    private static func decodedFrame(of file: String, at seconds: Double, width: Int, height: Int) async throws -> GrayImage {
        let data = try await CommandLineTool.run("ffmpeg", CommandLineTool.quiet + [
            "-i", file, "-ss", String(format: "%.6f", seconds), "-frames:v", "1", "-vf", "scale=\(width):\(height)",
            "-f", "rawvideo", "-pix_fmt", "gray", "-",
        ])
        return GrayImage(width: width, height: height, pixels: [UInt8](data))
    }

    // MARK: 1. Frames without timestamps

    @Test("an elementary stream without timestamps is measured, stilled and rendered", arguments: ["h264", "m4v"])
    func framesWithoutTimestamps(format: String) async throws {
        let dir = try Fixtures.scratchDirectory("no-pts-\(format)")
        let file = dir + "/in.\(format)"
        let codec = format == "h264" ? Self.x264 : ["-c:v", "mpeg4", "-q:v", "5"]
        try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1", "-f", "lavfi", "-i", "color=gray:s=320x240:r=25:d=2",
                                          "-filter_complex", "[0:v]noise=alls=100:allf=t[n];[n][1:v]concat=n=2:v=1"]
                                         + codec + ["-f", format, file])
        let oracle = try await FFprobe.countingFrames(file)
        #expect(oracle.video?.readFrames == 75)

        let verification = try await MediaEngine.verify(file, reportedUs: 3_000_000)
        #expect(verification.frames == 75)
        #expect(verification.measuredDurationUs == 3_000_000, "measured \(String(describing: verification.measuredDurationUs))")
        #expect(verification.verdict == .match)

        let stills = try await MediaEngine.thumbnails(file, request: ThumbnailRequest(times: [0.5, 1.5]), directory: dir + "/stills")
        try #require(stills.thumbnails.count == 2)
        #expect(abs(stills.thumbnails[0].timeUs - 480_000) <= 40_000 && !stills.thumbnails[0].blank, "noise at 0.5 s")
        #expect(abs(stills.thumbnails[1].timeUs - 1_480_000) <= 40_000 && stills.thumbnails[1].blank, "flat grey at 1.5 s: blank")

        let report = try await MediaEngine.process(file, PassRequest(presets: [try RenditionPreset(parsing: "240p")], renditionDirectory: dir + "/r"))
        let rendition = try #require(report.renditions.first)
        let written = try await FFprobe.countingFrames(rendition.path)
        #expect(written.video?.readFrames == 75)
        #expect(abs((written.video?.durationUs ?? 0) - 3_000_000) <= 40_000, "rendition lasts \(String(describing: written.video?.durationUs))")
    }

    // MARK: 2. Seeking that lands nowhere

    @Test("MPEG-TS with one keyframe and a late start: stills, poster and storyboard show the picture")
    func seekingThatLandsNowhere() async throws {
        let dir = try Fixtures.scratchDirectory("ts-one-keyframe")
        let file = dir + "/in.ts"
        try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3", "-f", "lavfi", "-i", "sine=f=440:d=3",
                                          "-vf", "drawbox=c=black:t=fill:enable='lt(t,0.5)'"] + Self.x264
                                         + ["-c:a", "aac", "-output_ts_offset", "10", "-f", "mpegts", file])
        let request = ThumbnailRequest(times: [1.0, 2.0], poster: true, storyboard: StoryboardOptions(intervalSeconds: 0.5))
        let set = try await MediaEngine.thumbnails(file, request: request, directory: dir + "/out")
        try #require(set.thumbnails.count == 2)
        let times = try await Self.frameTimes(file)
        let origin = try #require(try await FFprobe.of(file).format?.startTimeUs)
        for (still, target) in zip(set.thumbnails, [1.0, 2.0]) {
            // The frame on screen at the target, on the file's timeline (ffprobe's start is 0).
            let expected = try #require(times.last { Int64(($0 * 1e6).rounded()) - origin <= Int64(target * 1e6) })
            #expect(abs(still.timeUs - (Int64((expected * 1e6).rounded()) - origin)) <= 1_000, "\(still)")
            #expect(!still.blank)
            let mine = try await GrayImage.decode(still.path)
            let theirs = try await Self.decodedFrame(of: file, at: target, width: mine.width, height: mine.height)
            try #require(theirs.isComplete)
            #expect(await Self.offPool { mine.correlation(with: theirs) } > 0.9)
        }
        let poster = try #require(set.poster)
        #expect(!poster.blank && poster.timeUs > 600_000, "not the black leader: \(poster)")
        let storyboard = try #require(set.storyboard)
        let sprite = try await GrayImage.decode(storyboard.sprite)
        // The picture is black until 0.5 s into the video, which starts 0.023 s into the file: the tiles at 0 and 0.5 s
        // show the black leader, every later tile the picture.
        for tile in 0..<2 {
            #expect(sprite.mean(x: tile * storyboard.tileWidth, y: 0, width: storyboard.tileWidth, height: storyboard.tileHeight) < 30)
        }
        for tile in 2..<storyboard.tiles {
            let x = (tile % storyboard.columns) * storyboard.tileWidth, y = (tile / storyboard.columns) * storyboard.tileHeight
            #expect(sprite.mean(x: x, y: y, width: storyboard.tileWidth, height: storyboard.tileHeight) > 60, "tile \(tile)")
        }
    }

    // MARK: 3. Time origin

    @Test("a video that starts after the audio: probe equals ffprobe, stills are on the file's timeline",
          arguments: [["-movflags", "frag_keyframe+empty_moov+default_base_moof"], ["-use_editlist", "0"]])
    func timeOrigin(muxing: [String]) async throws {
        let dir = try Fixtures.scratchDirectory("late-video")
        let file = dir + "/in.mp4"
        try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4", "-f", "lavfi", "-i", "sine=f=440:d=4",
                                          "-filter_complex", "[0:v]setpts=PTS+0.08/TB[v]", "-map", "[v]", "-map", "1:a"]
                                         + Self.x264 + ["-g", "25", "-c:a", "aac"] + muxing + [file])
        let oracle = try await FFprobe.of(file)
        let probe = try await MediaEngine.probe(file)
        #expect(try #require(probe.startTimeUs) - (oracle.format?.startTimeUs ?? -1) == 0)
        #expect(abs(try #require(probe.durationUs) - (oracle.format?.durationUs ?? -1)) <= 1_000)
        for stream in oracle.streams {
            let mine = try #require(probe.streams.first { $0.index == stream.index })
            #expect(abs(try #require(mine.startTimeUs) - (stream.startTimeUs ?? -1)) <= 1_000, "stream \(stream.index) start")
            #expect(abs(try #require(mine.durationUs) - (stream.durationUs ?? -1)) <= 1_000, "stream \(stream.index) duration")
        }

        let set = try await MediaEngine.thumbnails(file, request: ThumbnailRequest(times: [3.5]), directory: dir + "/out")
        let still = try #require(set.thumbnails.first)
        let times = try await Self.frameTimes(file)
        let onScreen = try #require(times.last { $0 <= 3.5 })
        #expect(still.timeUs == Int64((onScreen * 1e6).rounded()), "the frame on screen at 3.5 s is at \(onScreen) s: \(still)")
        let mine = try await GrayImage.decode(still.path)
        let theirs = try await GrayImage.frame(of: file, at: 3.5, width: mine.width, height: mine.height)
        #expect(await Self.offPool { mine.correlation(with: theirs) } > 0.95)
    }

    // MARK: 4. Audio an encoder cannot take

    @Test("PCM at 22 222 Hz and 8 kHz G.711: the rendition keeps audible audio as long as the source's",
          arguments: [("pcm_s16le", 22_222, 22_050), ("pcm_mulaw", 8_000, 8_000)])
    func audioResampled(codec: String, rate: Int, expectedRate: Int) async throws {
        let dir = try Fixtures.scratchDirectory("audio-\(rate)")
        let file = dir + "/in.mov"
        try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3", "-f", "lavfi", "-i", "sine=f=440:d=3:sample_rate=\(rate)"]
                                         + Self.x264 + ["-c:a", codec, "-ac", "1", file])
        let report = try await MediaEngine.process(file, PassRequest(presets: [try RenditionPreset(parsing: "240p")], renditionDirectory: dir + "/r"))
        let rendition = try #require(report.renditions.first)
        let source = try #require(try await FFprobe.of(file).audio?.durationUs)
        let audio = try #require(try await FFprobe.of(rendition.path).audio, "the rendition has no audio")
        #expect(audio.codec_name == "aac" && audio.sampleRate == expectedRate && audio.channels == 1)
        let frame = Int64(1024 * 1_000_000 / expectedRate)
        #expect(abs((audio.durationUs ?? 0) - source) <= frame, "audio \(String(describing: audio.durationUs)) µs, source \(source) µs")
        let volume = try await CommandLineTool.runAllowingFailure("ffmpeg", ["-hide_banner", "-nostdin", "-i", rendition.path, "-map", "0:a",
                                                                              "-af", "volumedetect", "-f", "null", "-"])
        let text = String(decoding: volume.stderr, as: UTF8.self)
        let mean = text.components(separatedBy: "mean_volume: ").dropFirst().first.flatMap { Double($0.prefix { $0 != " " }) }
        #expect((mean ?? -100) > -40, "mean volume \(String(describing: mean)) dB")
    }

    // MARK: 5. Interlaced sources

    /// ffmpeg's `idet` multi-frame counts: (interlaced, all).
    private static func idet(_ file: String) async throws -> (interlaced: Int, all: Int) {
        let run = try await CommandLineTool.runAllowingFailure("ffmpeg", ["-hide_banner", "-nostdin", "-i", file, "-vf", "idet", "-f", "null", "-"])
        let line = try #require(String(decoding: run.stderr, as: UTF8.self).split(separator: "\n").first { $0.contains("Multi frame detection") })
        func count(_ key: String) -> Int {
            Int(line.components(separatedBy: key + ":").dropFirst().first?.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber } ?? "") ?? 0
        }
        let tff = count("TFF"), bff = count("BFF")
        return (tff + bff, tff + bff + count("Progressive") + count("Undetermined"))
    }

    /// Runs pixel loops on a thread of their own: the test process's cooperative threads serve every other test.
    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    /// Vertical comb energy of a picture: how much each row differs from the mean of its neighbours.
    private static func comb(_ image: GrayImage) -> Double {
        var sum = 0.0
        for row in 1..<(image.height - 1) {
            for col in 0..<image.width {
                let a = Double(image.pixels[(row - 1) * image.width + col]), b = Double(image.pixels[row * image.width + col])
                let c = Double(image.pixels[(row + 1) * image.width + col])
                sum += abs(b - (a + c) / 2)
            }
        }
        return sum / Double(image.width * (image.height - 2))
    }

    @Test("an interlaced PAL capture: fieldOrder tt, a progressive rendition and stills without combing")
    func interlaced() async throws {
        let dir = try Fixtures.scratchDirectory("interlaced")
        let file = dir + "/in.mp4"
        try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=720x576:r=50:d=2", "-vf", "tinterlace=mode=interleave_top,fieldorder=tff"]
                                         + Self.x264 + ["-flags", "+ildct+ilme", "-x264opts", "tff=1", "-field_order", "tt", "-r", "25", file])
        let probe = try await MediaEngine.probe(file)
        #expect(probe.video?.fieldOrder == "tt")
        let source = try await Self.idet(file)
        try #require(source.interlaced * 10 >= source.all * 9, "the input is not interlaced enough to test: \(source)")

        let report = try await MediaEngine.process(file, PassRequest(presets: [try RenditionPreset(parsing: "576p")], renditionDirectory: dir + "/r"))
        let rendition = try #require(report.renditions.first)
        let out = try await Self.idet(rendition.path)
        #expect(out.all == source.all, "one output frame per source frame")
        let (marked, all) = out
        #expect(marked * 10 <= all, "idet marks \(marked) of \(all) rendition frames interlaced")
        #expect(try await MediaEngine.probe(rendition.path).video?.fieldOrder == "progressive")

        let set = try await MediaEngine.thumbnails(file, request: ThumbnailRequest(times: [1.0], thumbnailLongSide: 720), directory: dir + "/s")
        let still = try await GrayImage.decode(try #require(set.thumbnails.first).path)
        let combed = try await GrayImage.frame(of: file, at: 1.0, width: 720, height: 576, filter: "null")
        let clean = try await GrayImage.frame(of: file, at: 1.0, width: 720, height: 576, filter: "bwdif=mode=send_frame")
        let (stillComb, cleanComb, combedComb, correlation) = await Self.offPool {
            (Self.comb(still), Self.comb(clean), Self.comb(combed), still.correlation(with: clean))
        }
        try #require(cleanComb * 1.5 < combedComb, "the oracle: bwdif \(cleanComb), source \(combedComb)")
        #expect(stillComb < cleanComb * 1.5, "still \(stillComb), ffmpeg's bwdif \(cleanComb)")
        #expect(correlation > 0.95)
    }

    @Test("the field order from an H.264 sequence header: frames only is progressive, MBAFF is left to the decoder (tt)")
    func fieldOrderFromTheSequenceHeader() async throws {
        let dir = try Fixtures.scratchDirectory("field-order")
        for (name, extra, expected) in [("progressive", [String](), "progressive"),
                                        ("mbaff", ["-flags", "+ildct+ilme", "-x264opts", "tff=1", "-field_order", "tt"], "tt")] {
            let file = dir + "/\(name).mp4"
            try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1"] + Self.x264 + extra + [file])
            let avcC = try await CommandLineTool.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                                 "stream=field_order", "-of", "csv=p=0", file])
            #expect(String(decoding: avcC, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == expected, "the oracle")
            #expect(try await MediaEngine.probe(file).video?.fieldOrder == expected, "\(name)")
        }
        // The reader itself on a hand-made avcC: baseline profile, frame_mbs_only_flag set, then cleared.
        func avcC(_ sps: [UInt8]) -> [UInt8] { [1, 66, 0, 30, 0xFF, 0xE1, 0, UInt8(sps.count)] + sps + [1, 0, 0] }
        // SPS: NAL 0x67, profile 66, constraints, level 30, then ue(0) sps_id, ue(0) log2_max_frame_num-4,
        // ue(0) poc type, ue(0) log2_max_poc_lsb-4, ue(1) max refs, u1 gaps, ue(19) width, ue(14) height, u1 frames only.
        let framesOnly: [UInt8] = [0x67, 66, 0, 30, 0b1111_0100, 0b0000_1010, 0b0000_1111, 0b1000_0000]
        let fields: [UInt8] = [0x67, 66, 0, 30, 0b1111_0100, 0b0000_1010, 0b0000_1111, 0b0000_0000]
        #expect(avcC(framesOnly).withUnsafeBufferPointer { H264SequenceHeader.framesOnly(avcC: $0) } == true)
        #expect(avcC(fields).withUnsafeBufferPointer { H264SequenceHeader.framesOnly(avcC: $0) } == false)
        #expect([UInt8](repeating: 0, count: 4).withUnsafeBufferPointer { H264SequenceHeader.framesOnly(avcC: $0) } == nil)
    }

    // MARK: 6. A time past the end

    @Test("--at past the end gives the last frame, named after its time, written once")
    func timePastTheEnd() async throws {
        let dir = try Fixtures.scratchDirectory("past-end")
        let file = try await Fixture.silent.path // 3 s at 25 fps: the last frame at 2.96 s
        let set = try await MediaEngine.thumbnails(file, request: ThumbnailRequest(times: [10, 12, 1]), directory: dir)
        #expect(set.thumbnails.map(\.path) == [dir + "/thumbs/at-2960ms.jpg", dir + "/thumbs/at-1000ms.jpg"])
        #expect(set.thumbnails.first?.requestedUs == 10_000_000 && set.thumbnails.first?.timeUs == 2_960_000)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/thumbs").sorted()
        #expect(files == ["at-1000ms.jpg", "at-2960ms.jpg"])
    }
}
