import CFFmpeg
import Foundation

/// Owns an output `AVFormatContext` and its I/O: written to a temporary name beside the final one and renamed
/// only when complete. Freed with `avio_closep` + `avformat_free_context` (never `avformat_close_input`).
final class OutputFile {
    let context: UnsafeMutablePointer<AVFormatContext>
    let finalPath: String
    let temporaryPath: String
    private var headerWritten = false
    private var finished = false

    init(path: String, format: String = "mp4") throws(MediaError) {
        finalPath = path
        temporaryPath = AtomicFile.temporaryPath(for: path)
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        try avCall("creating \(format) output", avformat_alloc_output_context2(&ctx, nil, format, temporaryPath))
        guard let ctx else { throw MediaError(.ffmpeg, "creating \(format) output") }
        context = ctx
        do {
            try avCall("opening \(temporaryPath) for writing", code: .io, avio_open(&context.pointee.pb, temporaryPath, AVIO_FLAG_WRITE))
        } catch {
            avformat_free_context(ctx)
            throw error
        }
    }

    var needsGlobalHeader: Bool { (context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0 }

    func addStream() throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        guard let st = avformat_new_stream(context, nil) else { throw MediaError(.ffmpeg, "adding an output stream") }
        return st
    }

    /// Writes the header with the index at the front (`movflags=+faststart`).
    func writeHeader() throws(MediaError) {
        var options: OpaquePointer?
        av_dict_set(&options, "movflags", "+faststart", 0)
        defer { av_dict_free(&options) }
        try avCall("writing the header of \(finalPath)", avformat_write_header(context, &options))
        headerWritten = true
    }

    /// Interleaves and writes a packet (takes its contents; the packet is blank afterwards).
    func write(_ packet: Packet) throws(MediaError) {
        try avCall("writing to \(finalPath)", code: .io, av_interleaved_write_frame(context, packet.pointer))
    }

    /// Writes the trailer, closes the file and renames it into place.
    func finish() throws(MediaError) {
        try avCall("finishing \(finalPath)", code: .io, av_write_trailer(context))
        try avCall("closing \(finalPath)", code: .io, avio_closep(&context.pointee.pb))
        finished = true
        try AtomicFile.commit(temporaryPath, to: finalPath)
    }

    deinit {
        if !finished {
            if context.pointee.pb != nil { avio_closep(&context.pointee.pb) }
            unlink(temporaryPath)
        }
        avformat_free_context(context)
    }
}
