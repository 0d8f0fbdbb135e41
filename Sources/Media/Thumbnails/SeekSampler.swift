import CFFmpeg

/// Feeds frame grabbers by seeking instead of decoding everything: for each target time it seeks to the
/// keyframe at or before it and decodes forward to the target. Used when only stills are wanted.
///
/// Seeking is a shortcut that some files do not allow or do not honour: raw streams cannot seek, MPEG-TS seeks by
/// timestamp search and can land between keyframes (the decoder then shows nothing, or damaged pictures), frames may
/// carry no timestamps. ``run(targets:sinks:cancellation:)`` returns false as soon as a seek fails, lands past its
/// target, yields no frame, a damaged frame or a frame without a time; the caller then decodes forward from the start.
/// It also returns false at an interlaced frame: deinterlacing takes each field's neighbours from the frames around
/// it, which a decode from the start (``MediaPass``) has and a seek does not.
final class SeekSampler {
    private let input: InputFile
    private let decoder: StreamDecoder
    private let packet: Packet
    private let frame: Frame
    private let timeBase: AVRational
    /// The container's start (the timeline's 0), µs.
    private let originUs: Int64
    /// Where the video's first frame should be on the timeline, µs.
    private let videoStartUs: Int64
    private let frameDurationUs: Int64
    /// Position of the last decoded frame on the timeline, µs (nil before any).
    private var positionUs: Int64?

    init(input: InputFile, videoIndex: Int) throws(MediaError) {
        self.input = input
        decoder = try StreamDecoder(input: input, streamIndex: videoIndex)
        packet = try Packet()
        frame = try Frame()
        let stream = input.stream(videoIndex)
        let st = stream.pointee
        timeBase = st.time_base
        let start = input.context.pointee.start_time
        originUs = start == noPTS ? 0 : start
        videoStartUs = st.start_time == noPTS ? 0 : microseconds(st.start_time, in: st.time_base) - originUs
        frameDurationUs = max(1, microseconds(stream.nominalFrameDuration, in: st.time_base))
    }

    private enum Outcome { case reached, end, unreliable }

    /// Delivers, to every sink, frames from the keyframe before each target up to the target. Returns false, having
    /// finished no sink, when seeking cannot be trusted for this file (see the type's description).
    func run(targets: [Int64], sinks: [VideoFrameSink], cancellation: CancellationFlag?) throws(MediaError) -> Bool {
        var atEnd = false
        for target in Set(targets).sorted() {
            if cancellation?.isCancelled == true { throw MediaError(.cancelled, "cancelled") }
            // Decode forward when the target is close ahead; otherwise seek back to its keyframe.
            let close = positionUs.map { $0 <= target && target - $0 < 2_000_000 } ?? false
            if !close {
                do {
                    try input.seek(streamIndex: decoder.streamIndex, to: av_rescale_q(originUs + target, microsecondBase, timeBase))
                } catch where error.code != .cancelled {
                    return false
                }
                decoder.flush()
                atEnd = false
            }
            if atEnd { continue }
            switch try decodeUntil(target, sinks: sinks, afterSeek: !close) {
            case .reached: continue
            case .end: atEnd = true
            case .unreliable: return false
            }
        }
        for sink in sinks { try sink.finish() }
        return true
    }

    /// Decodes until the frame on screen at `target` (or a later one) is delivered.
    private func decodeUntil(_ target: Int64, sinks: [VideoFrameSink], afterSeek: Bool) throws(MediaError) -> Outcome {
        var delivered = false
        while true {
            switch decoder.receive(into: frame) {
            case .frame:
                defer { frame.unref() }
                let pts = frame.bestEffortPTS
                guard pts != noPTS, rv_frame_is_corrupt(frame.pointer) == 0, rv_frame_is_interlaced(frame.pointer) == 0 else {
                    return .unreliable
                }
                let timeUs = microseconds(pts, in: timeBase) - originUs
                // Landed past the target: the keyframe before it was not found (unless the video starts after it).
                if afterSeek, !delivered, timeUs > target, timeUs > videoStartUs + frameDurationUs { return .unreliable }
                var duration = microseconds(rv_frame_duration(frame.pointer), in: timeBase)
                if duration <= 0 { duration = frameDurationUs }
                positionUs = timeUs
                delivered = true
                for sink in sinks { try sink.consume(frame, timeUs: timeUs, durationUs: duration) }
                if timeUs + duration > target { return .reached }
            case .needInput:
                var fed = false
                while !fed {
                    let more: Bool
                    // A read error (a damaged or cut file) is left to the decode from the start, which keeps what it read.
                    do { more = try input.read(into: packet) } catch { return .unreliable }
                    guard more else { break }
                    defer { packet.unref() }
                    if Int(packet.pointer.pointee.stream_index) == decoder.streamIndex {
                        _ = decoder.send(packet)
                        fed = true
                    }
                }
                if !fed { _ = decoder.send(nil) }
            case .finished, .error:
                return delivered || !afterSeek ? .end : .unreliable
            }
        }
    }
}
