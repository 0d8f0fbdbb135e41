import Foundation

/// ffprobe as an independent oracle: what the FFmpeg CLI says about a file, decoded from its JSON output.
struct FFprobe: Decodable {
    struct Stream: Decodable {
        var index: Int
        var codec_type: String?
        var codec_name: String?
        var width: Int?
        var height: Int?
        var sample_rate: String?
        var channels: Int?
        var duration: String?
        var start_time: String?
        var nb_frames: String?
        var nb_read_frames: String?
        var side_data_list: [SideData]?
        var sample_aspect_ratio: String?

        /// Stream duration in µs, nil when ffprobe says N/A.
        var durationUs: Int64? { microseconds(duration) }
        var startTimeUs: Int64? { microseconds(start_time) }
        var sampleRate: Int? { sample_rate.flatMap { Int($0) } }
        var readFrames: Int? { nb_read_frames.flatMap { Int($0) } }
        var headerFrames: Int? { nb_frames.flatMap { Int($0) } }
        /// ffprobe's display-matrix rotation (counter-clockwise degrees, as `av_display_rotation_get`), 0 when absent.
        var rotationCCW: Int { side_data_list?.compactMap(\.rotation).first ?? 0 }
        /// The same as a clockwise turn in 0..<360, the convention of `StreamInfo.rotation`.
        var rotationCW: Int { ((-rotationCCW % 360) + 360) % 360 }
        var isQuarterTurn: Bool { rotationCW == 90 || rotationCW == 270 }
        /// Sample aspect ratio as a number, 1 when square or unknown.
        var sar: Double {
            let parts = (sample_aspect_ratio ?? "").split(separator: ":").compactMap { Double($0) }
            return parts.count == 2 && parts[0] > 0 && parts[1] > 0 ? parts[0] / parts[1] : 1
        }
        /// Coded width in square pixels.
        var squareWidth: Int? { width.map { Int((Double($0) * sar).rounded()) } }
        var displayWidth: Int? { isQuarterTurn ? height : squareWidth }
        var displayHeight: Int? { isQuarterTurn ? squareWidth : height }
    }

    struct SideData: Decodable {
        var side_data_type: String?
        var rotation: Int?
    }

    struct Format: Decodable {
        var duration: String?
        var start_time: String?
        var format_name: String?
        var durationUs: Int64? { microseconds(duration) }
        var startTimeUs: Int64? { microseconds(start_time) }
    }

    var streams: [Stream]
    var format: Format?

    var video: Stream? { streams.first { $0.codec_type == "video" } }
    var audio: Stream? { streams.first { $0.codec_type == "audio" } }

    /// Headers only (`-show_format -show_streams`).
    static func of(_ path: String) async throws -> FFprobe {
        try await run(["-show_format", "-show_streams", path])
    }

    /// Full decode of the video stream to count frames (`-count_frames`, `nb_read_frames`).
    static func countingFrames(_ path: String) async throws -> FFprobe {
        try await run(["-count_frames", "-select_streams", "v:0", "-show_streams", path])
    }

    private static func run(_ arguments: [String]) async throws -> FFprobe {
        let data = try await CommandLineTool.run("ffprobe", ["-v", "error", "-of", "json"] + arguments)
        return try JSONDecoder().decode(FFprobe.self, from: data)
    }
}

/// ffprobe's seconds with six decimals as whole µs.
private func microseconds(_ text: String?) -> Int64? {
    guard let text, let seconds = Double(text) else { return nil }
    return Int64((seconds * 1_000_000).rounded())
}
