import Foundation
import Media
import Testing

/// The media files the suite runs on, generated with the ffmpeg CLI at test time.
enum Fixture: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// 9:16 1080×1920, 30 fps, H.264 + AAC (stereo 48 kHz), 36.096 s.
    case tall
    /// 16:9 640×360, 30 fps, H.264 (with B-frames) + AAC (mono 44.1 kHz), 4 s, index at the end.
    case wide
    /// `wide` with the index at the front (`+faststart`).
    case wideFaststart
    /// 480×270, 25 fps, no audio, 3 s.
    case silent
    /// 2 s at 30 fps then 2 s at 15 fps, variable frame rate, no audio. Without B-frames: with them FFmpeg 5.1's
    /// MP4 muxer writes VFR timestamps for which ffprobe reports a stream duration shorter than the last frame's
    /// timestamp, which is no oracle. Even so the last packet has no duration (ffprobe counts it as 0).
    case vfr
    /// 640×360 coded, displayed 90° clockwise (360×640); a white block marks the coded top-left quadrant.
    case rotated
    /// 480×270, 3 s, timestamps start at 2 s.
    case offset
    /// HEVC 640×360, 2 s (needs libx265).
    case hevc
    /// 1 s of black, then 3 s of test pattern, 640×360.
    case blackStart
    /// H.264 + Opus audio in Matroska, 640×360, 3 s.
    case nonAAC
    /// `nonAAC` with the Opus header's version byte set to 255: the file opens and its video decodes, but FFmpeg's
    /// Opus decoder refuses to open ("Extradata version 255 is not implemented").
    case unopenableAudio
    /// 480×360 coded with 4:3 pixels (SAR 4:3), displayed 640×360, 2 s, no audio.
    case anamorphic
    /// AAC audio only, no video, 1 s.
    case audioOnly
    /// `wide` with bytes of its video packets flipped by the `noise` bitstream filter: damaged slice data that
    /// the H.264 decoder conceals (ffmpeg logs "error while decoding MB").
    case corrupted
    /// The first 60 % of the bytes of `wide` (the `moov` index at the end is lost).
    case truncated
    /// The first 60 % of the bytes of `wideFaststart` (headers intact, data stops early).
    case truncatedFaststart
    /// A text file named `.mp4`.
    case text

    var testDescription: String { rawValue }

    var fileName: String {
        rawValue + (self == .nonAAC || self == .unopenableAudio ? ".mkv" : self == .audioOnly ? ".m4a" : ".mp4")
    }

    /// Fixtures that decode cleanly (everything but the broken ones; `hevc` has its own suite, since it
    /// needs libx265 to generate).
    static let healthy: [Fixture] = [.tall, .wide, .wideFaststart, .silent, .vfr, .rotated, .offset, .blackStart, .nonAAC, .anamorphic]
    /// Healthy fixtures that are cheap to decode fully.
    static let short: [Fixture] = healthy.filter { $0 != .tall }

    /// Path of the generated file (generated on first use, once per test run).
    var path: String {
        get async throws { try await Fixtures.shared.path(of: self) }
    }
}

/// Generates each fixture at most once per test run, into one temporary directory. Concurrent requests for
/// the same fixture share one generation task; each file is written to a temporary name and renamed.
actor Fixtures {
    static let shared = Fixtures()

    /// Root of this run's files; removed at exit (kept when `REEL_KEEP_TEST_MEDIA` is set, to look at them), and
    /// stale roots of dead runs are removed on first use.
    nonisolated static let root: String = {
        let tmp = FileManager.default.temporaryDirectory.path
        let prefix = "reelvault-media-tests-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] where name.hasPrefix(prefix) {
            if let pid = Int32(name.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: tmp + "/" + name)
            }
        }
        // FFmpeg's info lines (libx264 statistics, muxer notes) would drown the test output.
        MediaEngine.setFFmpegLogging(verbose: false)
        let root = tmp + "/" + prefix + String(getpid())
        try? FileManager.default.createDirectory(atPath: root + "/fixtures", withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["REEL_KEEP_TEST_MEDIA"] == nil {
            atexit { try? FileManager.default.removeItem(atPath: Fixtures.root) }
        }
        return root
    }()

    private var tasks: [Fixture: Task<String, any Error>] = [:]

    func path(of fixture: Fixture) async throws -> String {
        if let task = tasks[fixture] { return try await task.value }
        let task = Task { try await Self.generate(fixture) }
        tasks[fixture] = task
        return try await task.value
    }

    /// A fresh, empty directory for one test's outputs.
    static func scratchDirectory(_ label: String) throws -> String {
        let dir = root + "/out/\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private static func generate(_ fixture: Fixture) async throws -> String {
        let final = root + "/fixtures/" + fixture.fileName
        let ext = (fixture.fileName as NSString).pathExtension
        let temp = root + "/fixtures/.\(fixture.rawValue)-\(UUID().uuidString.prefix(8)).partial.\(ext)"
        try await write(fixture, to: temp)
        guard rename(temp, final) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: final]) }
        return final
    }

    private static let x264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "30"]

    private static func write(_ fixture: Fixture, to out: String) async throws {
        switch fixture {
        case .tall:
            try await CommandLineTool.ffmpeg([
                "-f", "lavfi", "-i", "testsrc2=size=1080x1920:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "36.096", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "60",
                "-c:a", "aac", "-ac", "2", "-b:a", "96k", out,
            ])
        case .wide:
            try await CommandLineTool.ffmpeg([
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "4"] + x264 + ["-c:a", "aac", out])
        case .wideFaststart:
            try await CommandLineTool.ffmpeg(["-i", try await Fixture.wide.path, "-c", "copy", "-movflags", "+faststart", out])
        case .silent:
            try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=480x270:rate=25", "-t", "3"] + x264 + [out])
        case .vfr:
            try await CommandLineTool.ffmpeg([
                "-filter_complex",
                "testsrc2=size=480x270:rate=30,trim=duration=2[a];"
                    + "testsrc2=size=480x270:rate=15,trim=duration=2,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0",
                "-fps_mode", "vfr", "-video_track_timescale", "90000"] + x264 + ["-bf", "0", out])
        case .rotated:
            // FFmpeg 5.1 with stream copy stores `rotate=N` as a counter-clockwise turn of N degrees: 270 here
            // is the matrix phones write for portrait video (shown 90° clockwise; ffprobe: rotation -90).
            let plain = out + ".unrotated.mp4"
            defer { try? FileManager.default.removeItem(atPath: plain) }
            try await CommandLineTool.ffmpeg([
                "-f", "lavfi", "-i", "color=c=0x202020:size=640x360:rate=30,drawbox=x=0:y=0:w=320:h=180:color=white:t=fill",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "3"] + x264 + ["-c:a", "aac", plain])
            try await CommandLineTool.ffmpeg(["-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=270", out])
        case .offset:
            try await CommandLineTool.ffmpeg([
                "-f", "lavfi", "-i", "testsrc2=size=480x270:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "3"] + x264 + ["-c:a", "aac", "-output_ts_offset", "2", out])
        case .hevc:
            try await CommandLineTool.ffmpeg([
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "2",
                "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p",
                "-tag:v", "hvc1", out,
            ])
        case .blackStart:
            try await CommandLineTool.ffmpeg([
                "-filter_complex",
                "color=c=black:size=640x360:rate=30:duration=1[a];testsrc2=size=640x360:rate=30:duration=3[b];"
                    + "[a][b]concat=n=2:v=1:a=0"] + x264 + [out])
        case .nonAAC:
            try await CommandLineTool.ffmpeg([
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "3"] + x264 + ["-c:a", "libopus", "-b:a", "64k", out])
        case .unopenableAudio:
            var data = try Data(contentsOf: URL(fileURLWithPath: try await Fixture.nonAAC.path))
            let head = try #require(data.firstRange(of: Data("OpusHead".utf8)), "no OpusHead in the Matroska CodecPrivate")
            data[head.upperBound] = 0xFF // OpusHead version (1 as written)
            try data.write(to: URL(fileURLWithPath: out))
        case .anamorphic:
            try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=480x360:rate=30,setsar=4/3", "-t", "2"] + x264 + [out])
        case .audioOnly:
            try await CommandLineTool.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "1", "-c:a", "aac", out])
        case .corrupted:
            try await CommandLineTool.ffmpeg(["-i", try await Fixture.wide.path, "-c", "copy", "-bsf:v", "noise=amount=20000", out])
        case .truncated, .truncatedFaststart:
            let source = try await (fixture == .truncated ? Fixture.wide : Fixture.wideFaststart).path
            let data = try Data(contentsOf: URL(fileURLWithPath: source))
            try data.prefix(data.count * 60 / 100).write(to: URL(fileURLWithPath: out))
        case .text:
            let text = String(repeating: "This is a text file, not a video. ", count: 40) + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: out))
        }
    }
}
