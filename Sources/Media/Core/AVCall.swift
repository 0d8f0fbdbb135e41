import CFFmpeg

/// FFmpeg's text for an error number.
func averrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    _ = rv_error_string(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The one check for FFmpeg return values: a negative value becomes a `MediaError` carrying FFmpeg's text.
/// AVERROR(ENOSPC) and AVERROR(EDQUOT) become ``MediaError/Code/noSpace`` whatever `code` says (a full volume
/// is the environment, not the media).
@discardableResult
func avCall(_ what: @autoclosure () -> String, code: MediaError.Code = .ffmpeg, _ result: Int32) throws(MediaError) -> Int32 {
    if result < 0 {
        throw MediaError(code, "\(what()): \(averrorText(result))", averror: result)
    }
    return result
}

let averrorEOF: Int32 = rv_averror_eof()
let averrorEAGAIN: Int32 = rv_averror_eagain()
let noPTS: Int64 = rv_nopts()
let microsecondBase = AVRational(num: 1, den: 1_000_000)

/// Rescales a timestamp between time bases, rounding to nearest.
func rescale(_ value: Int64, from: AVRational, to: AVRational) -> Int64 {
    av_rescale_q_rnd(value, from, to, AVRounding(rawValue: AV_ROUND_NEAR_INF.rawValue | AV_ROUND_PASS_MINMAX.rawValue))
}

func microseconds(_ value: Int64, in timeBase: AVRational) -> Int64 {
    rescale(value, from: timeBase, to: microsecondBase)
}

extension AVRational {
    var doubleValue: Double { den == 0 ? 0 : Double(num) / Double(den) }
    var isValid: Bool { num > 0 && den > 0 }
}
