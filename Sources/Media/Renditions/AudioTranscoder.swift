import CFFmpeg

/// Re-encodes a pass's decoded audio to AAC once, for every rendition (used when the source audio is not AAC).
/// Owns the AAC encoder, the resampler and a sample FIFO.
final class AudioTranscoder {
    let encoder: UnsafeMutablePointer<AVCodecContext>
    private let resampler: OpaquePointer
    private let fifo: OpaquePointer
    private let converted: Frame
    private let chunk: Frame
    private let packet: Packet
    private var nextPTS: Int64?
    private let sourceTimeBase: AVRational
    private let origin: Int64
    var sinks: [AudioPacketSink] = []
    /// The AAC stream's parameters, for the outputs' audio streams.
    let parameters: UnsafeMutablePointer<AVCodecParameters>

    init(source: UnsafeMutablePointer<AVStream>, origin: Int64, globalHeader: Bool) throws(MediaError) {
        let par = source.pointee.codecpar.pointee
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_AAC) else { throw MediaError(.codecUnavailable, "no AAC encoder") }
        guard let ctx = avcodec_alloc_context3(codec) else { throw MediaError(.ffmpeg, "out of memory allocating an AAC encoder") }
        var owned: UnsafeMutablePointer<AVCodecContext>? = ctx
        sourceTimeBase = source.pointee.time_base
        self.origin = origin
        let rate = par.sample_rate > 0 ? par.sample_rate : 48_000
        ctx.pointee.sample_rate = rate
        ctx.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        ctx.pointee.bit_rate = 128_000
        ctx.pointee.time_base = AVRational(num: 1, den: rate)
        av_channel_layout_default(&ctx.pointee.ch_layout, min(2, max(1, rv_codecpar_channels(source.pointee.codecpar))))
        if globalHeader { ctx.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        var swr: OpaquePointer?
        var inLayout = par.ch_layout
        if inLayout.nb_channels == 0 { av_channel_layout_default(&inLayout, 2) }
        let opened = avcodec_open2(ctx, codec, nil)
        let made = opened < 0 ? opened : swr_alloc_set_opts2(&swr, &ctx.pointee.ch_layout, AV_SAMPLE_FMT_FLTP, rate,
                                                              &inLayout, AVSampleFormat(rawValue: par.format), par.sample_rate, 0, nil)
        guard opened >= 0, made >= 0, let swr, swr_init(swr) >= 0,
              let fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, ctx.pointee.ch_layout.nb_channels, 4096) else {
            avcodec_free_context(&owned)
            throw MediaError(.ffmpeg, "setting up AAC re-encoding: \(averrorText(min(opened, made)))")
        }
        encoder = ctx
        resampler = swr
        self.fifo = fifo
        converted = try Frame()
        chunk = try Frame()
        packet = try Packet()
        guard let par = avcodec_parameters_alloc() else { throw MediaError(.ffmpeg, "out of memory") }
        avcodec_parameters_from_context(par, ctx)
        parameters = par
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = encoder
        avcodec_free_context(&ctx)
        var swr: OpaquePointer? = resampler
        swr_free(&swr)
        av_audio_fifo_free(fifo)
        var par: UnsafeMutablePointer<AVCodecParameters>? = parameters
        avcodec_parameters_free(&par)
    }

    var timeBase: AVRational { encoder.pointee.time_base }

    /// Takes one decoded frame of source audio.
    func consume(_ frame: Frame) throws(MediaError) {
        if nextPTS == nil {
            let pts = frame.bestEffortPTS
            nextPTS = pts == noPTS ? 0 : max(0, av_rescale_q(pts - origin, sourceTimeBase, timeBase))
        }
        let c = converted.pointer
        av_frame_unref(c)
        c.pointee.sample_rate = encoder.pointee.sample_rate
        c.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        av_channel_layout_copy(&c.pointee.ch_layout, &encoder.pointee.ch_layout)
        try avCall("resampling audio", swr_convert_frame(resampler, c, frame.pointer))
        try push(c)
        try drain(final: false)
    }

    private func push(_ c: UnsafeMutablePointer<AVFrame>) throws(MediaError) {
        guard c.pointee.nb_samples > 0 else { return }
        let written = withUnsafeMutableBytes(of: &c.pointee.data) { raw -> Int32 in
            let planes = raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
            return planes.baseAddress!.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) {
                av_audio_fifo_write(fifo, $0, c.pointee.nb_samples)
            }
        }
        try avCall("buffering audio", written)
    }

    /// Encodes whole AAC frames from the FIFO; with `final`, also the remainder and the encoder's tail.
    func drain(final: Bool) throws(MediaError) {
        let size = encoder.pointee.frame_size > 0 ? encoder.pointee.frame_size : 1024
        while av_audio_fifo_size(fifo) >= size || (final && av_audio_fifo_size(fifo) > 0) {
            let n = min(size, av_audio_fifo_size(fifo))
            let f = chunk.pointer
            av_frame_unref(f)
            f.pointee.nb_samples = n
            f.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
            f.pointee.sample_rate = encoder.pointee.sample_rate
            av_channel_layout_copy(&f.pointee.ch_layout, &encoder.pointee.ch_layout)
            try avCall("allocating audio", av_frame_get_buffer(f, 0))
            _ = withUnsafeMutableBytes(of: &f.pointee.data) { raw in
                raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self).baseAddress!.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) {
                    av_audio_fifo_read(fifo, $0, n)
                }
            }
            f.pointee.pts = nextPTS ?? 0
            nextPTS = (nextPTS ?? 0) + Int64(n)
            try encode(f)
        }
        if final {
            // Flush resampler leftovers first, then the encoder.
            try encode(nil)
        }
    }

    private func encode(_ frame: UnsafeMutablePointer<AVFrame>?) throws(MediaError) {
        let sent = avcodec_send_frame(encoder, frame)
        if sent != averrorEOF { try avCall("encoding AAC", sent) }
        while true {
            let r = avcodec_receive_packet(encoder, packet.pointer)
            if r == averrorEAGAIN || r == averrorEOF { return }
            try avCall("encoding AAC", r)
            for sink in sinks { try sink.writeAudio(packet, timeBase: timeBase, origin: 0) }
            packet.unref()
        }
    }
}
