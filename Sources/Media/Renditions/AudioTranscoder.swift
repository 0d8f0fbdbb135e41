import CFFmpeg

/// Re-encodes a pass's decoded audio to AAC once, for every rendition (used when the source audio is not AAC).
///
/// Holds no raw handle itself: the AAC encoder, the resampler, the sample FIFO, the frames, the packet and the
/// output parameters each have their owning class, freed in its `deinit`. Each is made into a local first and
/// stored only when all are made, so a failure at any step releases what the earlier steps made (a half-initialised
/// object runs no `deinit`; its locals are released all the same). Used on the decode thread only.
final class AudioTranscoder {
    /// The steps of `init`, in order; a `checkpoint` sees each one (fault injection for tests and `Tools/leakcheck`).
    enum SetupStep: String, CaseIterable, Sendable {
        case encoder, resampler, fifo, buffers, parameters
    }

    /// Called after each setup step with the owners made so far; an error thrown here aborts `init` at that step.
    typealias Checkpoint = (SetupStep, _ made: [AnyObject]) throws(MediaError) -> Void

    private let encoder: AACEncoder
    private let resampler: Resampler
    private let fifo: AudioFIFO
    private let converted: Frame
    private let chunk: Frame
    private let packet: Packet
    private let outputParameters: CodecParameters
    private var nextPTS: Int64?
    private let sourceTimeBase: AVRational
    private let origin: Int64
    var sinks: [AudioPacketSink] = []

    init(source: UnsafeMutablePointer<AVStream>, origin: Int64, globalHeader: Bool,
         checkpoint: Checkpoint = { _, _ throws(MediaError) in }) throws(MediaError) {
        guard let par = source.pointee.codecpar else { throw MediaError(.ffmpeg, "the audio stream has no codec parameters") }
        let encoder = try AACEncoder(sampleRate: par.pointee.sample_rate, channels: rv_codecpar_channels(par), globalHeader: globalHeader)
        try checkpoint(.encoder, [encoder])
        let resampler = try Resampler(from: par, to: encoder)
        try checkpoint(.resampler, [encoder, resampler])
        let fifo = try AudioFIFO(format: encoder.context.pointee.sample_fmt, channels: encoder.channelCount)
        try checkpoint(.fifo, [encoder, resampler, fifo])
        let converted = try Frame(), chunk = try Frame(), packet = try Packet()
        try checkpoint(.buffers, [encoder, resampler, fifo, converted, chunk, packet])
        let parameters = try CodecParameters(of: encoder.context)
        try checkpoint(.parameters, [encoder, resampler, fifo, converted, chunk, packet, parameters])
        self.encoder = encoder
        self.resampler = resampler
        self.fifo = fifo
        self.converted = converted
        self.chunk = chunk
        self.packet = packet
        self.outputParameters = parameters
        self.sourceTimeBase = source.pointee.time_base
        self.origin = origin
    }

    /// The AAC stream's parameters, for the outputs' audio streams (valid while this transcoder lives).
    var parameters: UnsafePointer<AVCodecParameters> { UnsafePointer(outputParameters.pointer) }
    var timeBase: AVRational { encoder.timeBase }

    /// Takes one decoded frame of source audio.
    func consume(_ frame: Frame) throws(MediaError) {
        if nextPTS == nil {
            let pts = frame.bestEffortPTS
            nextPTS = pts == noPTS ? 0 : max(0, av_rescale_q(pts - origin, sourceTimeBase, timeBase))
        }
        let c = converted.pointer
        av_frame_unref(c)
        try encoder.describe(c)
        try resampler.convert(frame.pointer, into: c)
        try fifo.write(c)
        try drain(final: false)
    }

    /// Encodes whole AAC frames from the FIFO; with `final`, also what the resampler held back, the remainder and the
    /// encoder's tail.
    func drain(final: Bool) throws(MediaError) {
        if final, nextPTS != nil {
            let c = converted.pointer
            av_frame_unref(c)
            try encoder.describe(c)
            try resampler.convert(nil, into: c)
            if c.pointee.nb_samples > 0 { try fifo.write(c) }
        }
        let size = encoder.frameSize
        while fifo.count >= size || (final && fifo.count > 0) {
            let n = min(size, fifo.count)
            let f = chunk.pointer
            av_frame_unref(f)
            f.pointee.nb_samples = n
            try encoder.describe(f)
            try avCall("allocating audio", av_frame_get_buffer(f, 0))
            try fifo.read(into: f, samples: n)
            f.pointee.pts = nextPTS ?? 0
            nextPTS = (nextPTS ?? 0) + Int64(n)
            try encode(f)
        }
        if final {
            try encode(nil)
        }
    }

    private func encode(_ frame: UnsafeMutablePointer<AVFrame>?) throws(MediaError) {
        try encoder.encode(frame, into: packet) { packet throws(MediaError) in
            defer { packet.unref() }
            for sink in sinks { try sink.writeAudio(packet, timeBase: timeBase, origin: 0) }
        }
    }
}
