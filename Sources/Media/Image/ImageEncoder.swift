import CFFmpeg
import Foundation

/// Still-image output format.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case jpeg
    case webp

    public var fileExtension: String { self == .jpeg ? "jpg" : "webp" }
    var codecName: String { self == .jpeg ? "mjpeg" : "libwebp" }
    /// Pixel format the encoder takes.
    var pixelFormat: AVPixelFormat { self == .jpeg ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P }
}

/// Encodes one picture to a still image file with libavcodec (mjpeg or libwebp).
enum ImageEncoder {
    static func write(_ frame: Frame, format: ImageFormat, to path: String, quality: Int = 3) throws(MediaError) {
        guard let codec = avcodec_find_encoder_by_name(format.codecName) else {
            throw MediaError(.codecUnavailable, "no \(format.codecName) encoder")
        }
        guard var ctx = Optional(avcodec_alloc_context3(codec)), let c = ctx else {
            throw MediaError(.ffmpeg, "out of memory allocating an image encoder")
        }
        defer { avcodec_free_context(&ctx) }
        c.pointee.width = frame.width
        c.pointee.height = frame.height
        c.pointee.pix_fmt = format.pixelFormat
        c.pointee.time_base = AVRational(num: 1, den: 25)
        c.pointee.color_range = format == .jpeg ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        if format == .jpeg {
            c.pointee.flags |= AV_CODEC_FLAG_QSCALE
            c.pointee.global_quality = Int32(quality) * FF_QP2LAMBDA
        } else {
            av_opt_set_double(c.pointee.priv_data, "quality", 80, 0)
        }
        try avCall("opening the \(format.codecName) encoder", avcodec_open2(c, codec, nil))
        let packet = try Packet()
        frame.pointer.pointee.pts = 0
        try avCall("encoding an image", avcodec_send_frame(c, frame.pointer))
        try avCall("finishing an image", avcodec_send_frame(c, nil))
        var bytes: [UInt8] = []
        while true {
            let r = avcodec_receive_packet(c, packet.pointer)
            if r == averrorEOF || r == averrorEAGAIN { break }
            try avCall("encoding an image", r)
            let pkt = packet.pointer.pointee
            bytes.append(contentsOf: UnsafeBufferPointer(start: pkt.data, count: Int(pkt.size)))
            packet.unref()
        }
        try AtomicFile.write(Data(bytes), to: path)
    }
}
