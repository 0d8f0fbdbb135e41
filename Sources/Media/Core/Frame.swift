import CFFmpeg

/// Owns one reusable `AVFrame`.
final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init() throws(MediaError) {
        guard let f = av_frame_alloc() else { throw MediaError(.ffmpeg, "out of memory allocating a frame") }
        pointer = f
    }

    /// A frame with its own buffers of the given picture format and size.
    convenience init(width: Int32, height: Int32, format: AVPixelFormat) throws(MediaError) {
        try self.init()
        pointer.pointee.width = width
        pointer.pointee.height = height
        pointer.pointee.format = format.rawValue
        try avCall("allocating a \(width)x\(height) picture", av_frame_get_buffer(pointer, 0))
    }

    var width: Int32 { pointer.pointee.width }
    var height: Int32 { pointer.pointee.height }
    var pts: Int64 { pointer.pointee.pts }
    var bestEffortPTS: Int64 {
        let p = pointer.pointee.best_effort_timestamp
        return p == noPTS ? pointer.pointee.pts : p
    }

    func unref() { av_frame_unref(pointer) }

    /// Makes the buffers safe to write (copies them if an encoder still holds a reference).
    func makeWritable() throws(MediaError) {
        try avCall("making a frame writable", av_frame_make_writable(pointer))
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&f)
    }
}
