import CFFmpeg

/// Owns a `SwrContext` that converts a source's decoded audio to an encoder's format, rate and channel layout.
/// A context that fails to initialise is freed before the error is thrown.
final class Resampler {
    private let context: OpaquePointer

    /// - source: the decoded stream's parameters (format, rate, layout; an unknown layout is taken as stereo).
    init(from source: UnsafePointer<AVCodecParameters>, to encoder: AACEncoder) throws(MediaError) {
        var inLayout = source.pointee.ch_layout
        if inLayout.nb_channels == 0 { av_channel_layout_default(&inLayout, 2) }
        var ctx: OpaquePointer?
        let made = swr_alloc_set_opts2(&ctx, &encoder.context.pointee.ch_layout, encoder.context.pointee.sample_fmt,
                                       encoder.sampleRate, &inLayout, AVSampleFormat(rawValue: source.pointee.format),
                                       source.pointee.sample_rate, 0, nil)
        guard made >= 0, let ctx else {
            swr_free(&ctx) // FFmpeg frees it on failure already; this is a no-op then, and safe.
            throw MediaError(.ffmpeg, "setting up the audio resampler: \(averrorText(made))", averror: made)
        }
        let initialized = swr_init(ctx)
        guard initialized >= 0 else {
            var half: OpaquePointer? = ctx
            swr_free(&half)
            throw MediaError(.ffmpeg, "initialising the audio resampler: \(averrorText(initialized))", averror: initialized)
        }
        context = ctx
    }

    deinit {
        var ctx: OpaquePointer? = context
        swr_free(&ctx)
    }

    /// Converts `input` into `output`, whose format, rate and layout must already be set (buffers are allocated).
    /// `input` nil flushes: `output` gets the samples a rate conversion still holds back. Decoded frames that differ
    /// from the stream's parameters (a layout the decoder spells otherwise, a rate or layout that changes mid-stream,
    /// as broadcast MP2 does) reconfigure the converter from the frames themselves.
    func convert(_ input: UnsafeMutablePointer<AVFrame>?, into output: UnsafeMutablePointer<AVFrame>) throws(MediaError) {
        var result = swr_convert_frame(context, output, input)
        if result == rv_averror_input_changed(), let input {
            swr_close(context)
            result = swr_config_frame(context, output, input)
            if result >= 0 { result = swr_init(context) }
            if result >= 0 { result = swr_convert_frame(context, output, input) }
        }
        try avCall("resampling audio", result)
    }
}
