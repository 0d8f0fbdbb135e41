import CFFmpeg

/// Owns an input `AVFormatContext` (opened with `avformat_open_input`, closed with `avformat_close_input`).
/// Not Sendable: open, use and close it inside one task on one thread.
final class InputFile {
    private(set) var context: UnsafeMutablePointer<AVFormatContext>
    let path: String

    /// Opens `path` and reads stream information (headers only, no full decode).
    init(path: String) throws(MediaError) {
        self.path = path
        var ctx: UnsafeMutablePointer<AVFormatContext>? = nil
        // On failure avformat_open_input frees the context itself and sets it to NULL.
        let opened = avformat_open_input(&ctx, path, nil, nil)
        guard opened >= 0, let ctx else {
            if opened == rv_averror(ENOENT) || opened == rv_averror(EACCES) {
                throw MediaError(.io, "\(path): \(averrorText(opened))", averror: opened)
            }
            throw MediaError(.notMedia, path, averror: opened)
        }
        let found = avformat_find_stream_info(ctx, nil)
        if found < 0 {
            var half: UnsafeMutablePointer<AVFormatContext>? = ctx
            avformat_close_input(&half)
            throw MediaError(.notMedia, "\(path) (\(averrorText(found)))", averror: found)
        }
        context = ctx
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&ctx)
    }

    var streamCount: Int { Int(context.pointee.nb_streams) }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        context.pointee.streams[index]!
    }

    /// The best video stream (FFmpeg's choice), or nil.
    var bestVideoStreamIndex: Int? {
        let i = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        return i >= 0 ? Int(i) : nil
    }

    var bestAudioStreamIndex: Int? {
        let i = av_find_best_stream(context, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        return i >= 0 ? Int(i) : nil
    }

    /// Reads the next packet. Returns false at end of file; throws on a read error.
    func read(into packet: Packet) throws(MediaError) -> Bool {
        let r = av_read_frame(context, packet.pointer)
        if r == averrorEOF { return false }
        try avCall("reading \(path)", r)
        return true
    }

    /// Seeks so that the next packets of `streamIndex` start at the keyframe at or before `timestamp`
    /// (in that stream's time base).
    func seek(streamIndex: Int, to timestamp: Int64) throws(MediaError) {
        try avCall("seeking in \(path)", av_seek_frame(context, Int32(streamIndex), timestamp, AVSEEK_FLAG_BACKWARD))
    }

    /// True when the I/O layer saw an error (for example a file cut short).
    var ioError: Int32 { context.pointee.pb?.pointee.error ?? 0 }
}
