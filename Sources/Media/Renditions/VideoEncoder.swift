import CFFmpeg

/// H.264 settings for renditions.
public struct EncoderSettings: Sendable, Equatable, Codable {
    /// libx264 preset (ultrafast … veryslow).
    public var preset: String
    /// Constant rate factor, 0–51 (lower is better quality).
    public var crf: Int
    /// Threads per encoder; 0 lets libx264 decide.
    public var threads: Int

    public init(preset: String = "veryfast", crf: Int = 23, threads: Int = 0) {
        self.preset = preset
        self.crf = crf
        self.threads = threads
    }
}

/// Owns a libx264 `AVCodecContext`.
final class VideoEncoder {
    let context: UnsafeMutablePointer<AVCodecContext>

    init(width: Int, height: Int, timeBase: AVRational, frameRate: AVRational, settings: EncoderSettings, globalHeader: Bool) throws(MediaError) {
        guard let codec = avcodec_find_encoder_by_name("libx264") else {
            throw MediaError(.codecUnavailable, "no libx264 encoder")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { throw MediaError(.ffmpeg, "out of memory allocating an encoder") }
        var owned: UnsafeMutablePointer<AVCodecContext>? = ctx
        do {
            ctx.pointee.width = Int32(width)
            ctx.pointee.height = Int32(height)
            ctx.pointee.pix_fmt = AV_PIX_FMT_YUV420P
            ctx.pointee.time_base = timeBase
            if frameRate.isValid { ctx.pointee.framerate = frameRate }
            ctx.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
            if globalHeader { ctx.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
            try avCall("configuring libx264 (preset \(settings.preset), crf \(settings.crf))",
                       rv_set_x264_opts(ctx, settings.preset, Int32(settings.crf), Int32(settings.threads)))
            try avCall("opening libx264", avcodec_open2(ctx, codec, nil))
        } catch {
            avcodec_free_context(&owned)
            throw error
        }
        context = ctx
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&ctx)
    }

    /// Sends a frame (nil to flush) and hands every packet that comes out to `emit`.
    func encode(_ frame: Frame?, into packet: Packet, emit: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        let sent = avcodec_send_frame(context, frame?.pointer)
        if sent != averrorEOF { try avCall("encoding video", sent) }
        while true {
            let r = avcodec_receive_packet(context, packet.pointer)
            if r == averrorEAGAIN || r == averrorEOF { return }
            try avCall("encoding video", r)
            try emit(packet)
        }
    }
}
