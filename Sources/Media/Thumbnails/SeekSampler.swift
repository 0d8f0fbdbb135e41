import CFFmpeg

/// Feeds frame grabbers by seeking instead of decoding everything: for each target time it seeks to the
/// keyframe at or before it and decodes forward to the target. Used when only stills are wanted.
final class SeekSampler {
    private let input: InputFile
    private let decoder: StreamDecoder
    private let packet: Packet
    private let frame: Frame
    private let timeBase: AVRational
    private let startPTS: Int64
    private let frameDurationUs: Int64
    /// Position of the last decoded frame, µs from the start (nil before any).
    private var positionUs: Int64?

    init(input: InputFile, videoIndex: Int) throws(MediaError) {
        self.input = input
        decoder = try StreamDecoder(input: input, streamIndex: videoIndex)
        packet = try Packet()
        frame = try Frame()
        let st = input.stream(videoIndex).pointee
        timeBase = st.time_base
        startPTS = st.start_time == noPTS ? 0 : st.start_time
        let rate = st.avg_frame_rate.isValid ? st.avg_frame_rate : AVRational(num: 25, den: 1)
        frameDurationUs = Int64(1_000_000 * Double(rate.den) / Double(rate.num))
    }

    /// Delivers, to every sink, frames from the keyframe before each target up to the target.
    func run(targets: [Int64], sinks: [VideoFrameSink], cancellation: CancellationFlag?) throws(MediaError) {
        var atEnd = false
        for target in Set(targets).sorted() {
            if cancellation?.isCancelled == true { throw MediaError(.cancelled, "cancelled") }
            // Decode forward when the target is close ahead; otherwise seek back to its keyframe.
            let close = positionUs.map { $0 <= target && target - $0 < 2_000_000 } ?? false
            if !close {
                try input.seek(streamIndex: decoder.streamIndex, to: startPTS + av_rescale_q(target, microsecondBase, timeBase))
                decoder.flush()
                atEnd = false
            }
            if atEnd { continue }
            atEnd = try decodeUntil(target, sinks: sinks)
        }
        for sink in sinks { try sink.finish() }
    }

    /// Decodes until a frame at or past `target`; returns true at end of stream.
    private func decodeUntil(_ target: Int64, sinks: [VideoFrameSink]) throws(MediaError) -> Bool {
        while true {
            switch decoder.receive(into: frame) {
            case .frame:
                defer { frame.unref() }
                let pts = frame.bestEffortPTS
                let timeUs = pts == noPTS ? (positionUs ?? 0) : av_rescale_q(pts - startPTS, timeBase, microsecondBase)
                positionUs = timeUs
                for sink in sinks { try sink.consume(frame, timeUs: timeUs, durationUs: frameDurationUs) }
                if timeUs + frameDurationUs / 2 >= target { return false }
            case .needInput:
                var fed = false
                while try input.read(into: packet) {
                    defer { packet.unref() }
                    if Int(packet.pointer.pointee.stream_index) == decoder.streamIndex {
                        _ = decoder.send(packet)
                        fed = true
                        break
                    }
                }
                if !fed { _ = decoder.send(nil) }
            case .finished, .error:
                return true
            }
        }
    }
}
