import CFFmpeg

/// Owns a libavfilter graph `buffer → bwdif → buffersink` that deinterlaces pictures: one output frame per input frame
/// (`mode=send_frame`), field order from each frame (`parity=auto`), and only frames flagged interlaced are touched
/// (`deint=interlaced`: progressive frames of a mixed stream pass through). `bwdif` looks one frame ahead, so a frame
/// comes out after the next one goes in, and the last after ``push(_:)`` with `nil`. The first frame has no previous one
/// to take a field from and passes as it is, as with ffmpeg's `-vf bwdif`. Freed in `deinit`; used on one thread.
final class Deinterlacer {
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let source: UnsafeMutablePointer<AVFilterContext>
    private let sink: UnsafeMutablePointer<AVFilterContext>

    /// A graph for pictures like `frame` (size, pixel format, sample aspect ratio) whose timestamps are in `timeBase`.
    init(like frame: Frame, timeBase: AVRational) throws(MediaError) {
        guard let graph = avfilter_graph_alloc() else { throw MediaError(.ffmpeg, "out of memory allocating a filter graph") }
        let f = frame.pointer.pointee
        let sar = f.sample_aspect_ratio.isValid ? f.sample_aspect_ratio : AVRational(num: 1, den: 1)
        let tb = timeBase.isValid ? timeBase : AVRational(num: 1, den: 1_000_000)
        let arguments = "video_size=\(f.width)x\(f.height):pix_fmt=\(f.format):time_base=\(tb.num)/\(tb.den)"
            + ":pixel_aspect=\(sar.num)/\(sar.den)"
        do {
            source = try Self.filter("buffer", name: "in", arguments: arguments, in: graph)
            let bwdif = try Self.filter("bwdif", name: "deinterlace", arguments: "mode=send_frame:parity=auto:deint=interlaced", in: graph)
            sink = try Self.filter("buffersink", name: "out", arguments: nil, in: graph)
            try avCall("linking the deinterlacer", avfilter_link(source, 0, bwdif, 0))
            try avCall("linking the deinterlacer", avfilter_link(bwdif, 0, sink, 0))
            try avCall("configuring the deinterlacer", avfilter_graph_config(graph, nil))
        } catch {
            // The graph owns every filter made in it: freeing it frees them.
            var half: UnsafeMutablePointer<AVFilterGraph>? = graph
            avfilter_graph_free(&half)
            throw error
        }
        self.graph = graph
    }

    deinit { avfilter_graph_free(&graph) }

    private static func filter(_ kind: String, name: String, arguments: String?,
                               in graph: UnsafeMutablePointer<AVFilterGraph>) throws(MediaError) -> UnsafeMutablePointer<AVFilterContext> {
        guard let definition = avfilter_get_by_name(kind) else {
            throw MediaError(.codecUnavailable, "FFmpeg's libavfilter has no \(kind) filter (install a complete libavfilter)")
        }
        var context: UnsafeMutablePointer<AVFilterContext>?
        try avCall("creating the \(kind) filter", avfilter_graph_create_filter(&context, definition, name, arguments, nil, graph))
        guard let context else { throw MediaError(.ffmpeg, "creating the \(kind) filter") }
        return context
    }

    /// Hands a frame to the filter (a new reference: `frame` stays the caller's); `nil` signals the end.
    func push(_ frame: Frame?) throws(MediaError) {
        let flags = Int32(AV_BUFFERSRC_FLAG_KEEP_REF)
        try avCall("deinterlacing", av_buffersrc_add_frame_flags(source, frame?.pointer, flags))
    }

    /// Takes the next deinterlaced frame into `frame` (unreferenced first); false when none is ready yet or at the end.
    func pull(into frame: Frame) throws(MediaError) -> Bool {
        frame.unref()
        let r = av_buffersink_get_frame(sink, frame.pointer)
        if r == averrorEAGAIN || r == averrorEOF { return false }
        try avCall("deinterlacing", r)
        return true
    }
}
