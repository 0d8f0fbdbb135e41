import CFFmpeg

/// Owns an input `AVFormatContext` (opened with `avformat_open_input`, closed with `avformat_close_input`).
/// Not Sendable: open, use and close it inside one task on one thread.
final class InputFile {
    private(set) var context: UnsafeMutablePointer<AVFormatContext>
    let path: String

    /// Opens `path` and reads stream information. With `headersOnly`, formats whose headers already describe
    /// every stream (MP4/MOV) skip `avformat_find_stream_info`, which decodes a few frames per file; the timing
    /// fields it would derive are filled in from the streams instead (see `completeTimings()`).
    init(path: String, headersOnly: Bool = false) throws(MediaError) {
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
        if headersOnly, Self.headersDescribeEverything(ctx) {
            context = ctx
            completeTimings()
            return
        }
        let found = avformat_find_stream_info(ctx, nil)
        if found < 0 {
            var half: UnsafeMutablePointer<AVFormatContext>? = ctx
            avformat_close_input(&half)
            throw MediaError(.notMedia, "\(path) (\(averrorText(found)))", averror: found)
        }
        context = ctx
    }

    /// MP4/MOV whose every stream has a codec, its basic parameters, start, duration (and a video its field order)
    /// from the headers.
    private static func headersDescribeEverything(_ ctx: UnsafeMutablePointer<AVFormatContext>) -> Bool {
        guard let name = ctx.pointee.iformat?.pointee.name, String(cString: name).hasPrefix("mov,mp4"),
              ctx.pointee.nb_streams > 0 else { return false }
        for i in 0..<Int(ctx.pointee.nb_streams) {
            guard let st = ctx.pointee.streams[i]?.pointee else { return false }
            let par = st.codecpar.pointee
            guard par.codec_id != AV_CODEC_ID_NONE, st.time_base.isValid else { return false }
            // A fragmented MP4 (an empty `moov`, the samples in fragments) has no start times or durations in its
            // headers, a file without edit lists no start time for some streams, and only an MOV's `fiel` atom (or an
            // H.264 sequence header that allows frames only) says how a picture is interlaced: reading packets and the
            // first pictures finds them, as ffprobe does.
            guard st.duration != noPTS, st.duration > 0, st.start_time != noPTS else { return false }
            if par.codec_type == AVMEDIA_TYPE_VIDEO, headerFieldOrder(par) == nil { return false }
            switch par.codec_type {
            case AVMEDIA_TYPE_VIDEO where par.width <= 0 || par.height <= 0: return false
            case AVMEDIA_TYPE_AUDIO where par.sample_rate <= 0 || par.ch_layout.nb_channels <= 0: return false
            default: continue
            }
        }
        return true
    }

    /// The field order the headers give a video stream: the demuxer's when it set one, progressive for H.264 whose
    /// sequence header allows frames only (no picture decoded), nil when only pictures would tell.
    private static func headerFieldOrder(_ par: AVCodecParameters) -> AVFieldOrder? {
        if par.field_order != AV_FIELD_UNKNOWN { return par.field_order }
        guard par.codec_id == AV_CODEC_ID_H264, let extradata = par.extradata, par.extradata_size > 0,
              H264SequenceHeader.framesOnly(avcC: UnsafeBufferPointer(start: extradata, count: Int(par.extradata_size))) == true
        else { return nil }
        return AV_FIELD_PROGRESSIVE
    }

    /// What `avformat_find_stream_info` would have set from the streams, when the demuxer did not: the container's
    /// start and duration (earliest start, latest end) and each video stream's field order from its headers.
    private func completeTimings() {
        var start = Int64.max, end = Int64.min
        for i in 0..<streamCount {
            if let par = stream(i).pointee.codecpar, par.pointee.codec_type == AVMEDIA_TYPE_VIDEO,
               let order = Self.headerFieldOrder(par.pointee) {
                par.pointee.field_order = order
            }
            let st = stream(i).pointee
            guard st.start_time != noPTS else { continue }
            let s = av_rescale_q(st.start_time, st.time_base, rv_time_base_q())
            start = min(start, s)
            if st.duration != noPTS, st.duration > 0 {
                end = max(end, s + av_rescale_q(st.duration, st.time_base, rv_time_base_q()))
            }
        }
        if context.pointee.start_time == noPTS, start != Int64.max { context.pointee.start_time = start }
        if context.pointee.duration == noPTS || context.pointee.duration <= 0, start != Int64.max, end != Int64.min {
            context.pointee.duration = end - start
        }
        context.pointee.duration_estimation_method = AVFMT_DURATION_FROM_STREAM
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&ctx)
    }

    var streamCount: Int { Int(context.pointee.nb_streams) }

    /// Stream `index` (< `streamCount`): FFmpeg fills every slot of `streams[0..<nb_streams]`; an index from
    /// `av_find_best_stream` or a packet's `stream_index` is always in range.
    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        guard let stream = context.pointee.streams[index] else {
            preconditionFailure("FFmpeg left stream slot \(index) of \(streamCount) empty")
        }
        return stream
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
