import CFFmpeg

/// Owns one reusable `AVPacket`; callers `unref()` after each use.
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() throws(MediaError) {
        guard let p = av_packet_alloc() else { throw MediaError(.ffmpeg, "out of memory allocating a packet") }
        pointer = p
    }

    func unref() { av_packet_unref(pointer) }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }
}
