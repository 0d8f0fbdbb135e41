import CFFmpeg

/// Owns an `AVCodecContext` opened as FFmpeg's AAC encoder (its own sample format, at most two channels, 128 kb/s) at
/// the sample rate it supports nearest to the source's (22 222 Hz becomes 22 050 Hz; the resampler converts).
/// A context that fails to open is freed before the error is thrown.
final class AACEncoder {
    let context: UnsafeMutablePointer<AVCodecContext>

    /// - sampleRate: the source's rate (48 kHz when the source does not say), moved to the nearest rate AAC supports;
    ///   `channels` is clamped to 1…2 (mono stays mono, anything wider is mixed down to stereo).
    init(sampleRate: Int32, channels: Int32, globalHeader: Bool) throws(MediaError) {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_AAC) else { throw MediaError(.codecUnavailable, "no AAC encoder") }
        guard let ctx = avcodec_alloc_context3(codec) else { throw MediaError(.ffmpeg, "out of memory allocating an AAC encoder") }
        let rate = rv_nearest_sample_rate(codec, sampleRate > 0 ? sampleRate : 48_000)
        ctx.pointee.sample_rate = rate
        ctx.pointee.sample_fmt = rv_first_sample_format(codec, AV_SAMPLE_FMT_FLTP)
        ctx.pointee.bit_rate = 128_000
        ctx.pointee.time_base = AVRational(num: 1, den: rate)
        av_channel_layout_default(&ctx.pointee.ch_layout, min(2, max(1, channels)))
        if globalHeader { ctx.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        let opened = avcodec_open2(ctx, codec, nil)
        guard opened >= 0 else {
            var half: UnsafeMutablePointer<AVCodecContext>? = ctx
            avcodec_free_context(&half)
            throw MediaError(.ffmpeg, "opening the AAC encoder: \(averrorText(opened))", averror: opened)
        }
        context = ctx
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&ctx)
    }

    var timeBase: AVRational { context.pointee.time_base }
    var sampleRate: Int32 { context.pointee.sample_rate }
    var channelCount: Int32 { context.pointee.ch_layout.nb_channels }
    /// Samples per AAC frame (1024 when the encoder does not say).
    var frameSize: Int32 { context.pointee.frame_size > 0 ? context.pointee.frame_size : 1024 }

    /// Gives `frame` this encoder's sample format, rate and channel layout (its buffers are not touched).
    func describe(_ frame: UnsafeMutablePointer<AVFrame>) throws(MediaError) {
        frame.pointee.sample_rate = context.pointee.sample_rate
        frame.pointee.format = context.pointee.sample_fmt.rawValue
        try avCall("copying a channel layout", av_channel_layout_copy(&frame.pointee.ch_layout, &context.pointee.ch_layout))
    }

    /// Sends a frame (nil to flush) and hands every packet that comes out to `emit`.
    func encode(_ frame: UnsafeMutablePointer<AVFrame>?, into packet: Packet, emit: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        let sent = avcodec_send_frame(context, frame)
        if sent != averrorEOF { try avCall("encoding AAC", sent) }
        while true {
            let r = avcodec_receive_packet(context, packet.pointer)
            if r == averrorEAGAIN || r == averrorEOF { return }
            try avCall("encoding AAC", r)
            try emit(packet)
        }
    }
}
