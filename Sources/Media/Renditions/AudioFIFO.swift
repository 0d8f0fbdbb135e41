import CFFmpeg

/// Owns an `AVAudioFifo` of planar samples: resampled audio waits here until a whole encoder frame is ready.
final class AudioFIFO {
    private let fifo: OpaquePointer

    init(format: AVSampleFormat, channels: Int32, capacity: Int32 = 4096) throws(MediaError) {
        guard let fifo = av_audio_fifo_alloc(format, channels, capacity) else {
            throw MediaError(.ffmpeg, "out of memory allocating an audio buffer")
        }
        self.fifo = fifo
    }

    deinit { av_audio_fifo_free(fifo) }

    /// Samples waiting.
    var count: Int32 { av_audio_fifo_size(fifo) }

    /// Appends every sample of `frame` (its format and channel count must be the FIFO's).
    func write(_ frame: UnsafeMutablePointer<AVFrame>) throws(MediaError) {
        guard frame.pointee.nb_samples > 0 else { return }
        try avCall("buffering audio", av_audio_fifo_write(fifo, Self.planes(frame), frame.pointee.nb_samples))
    }

    /// Moves `samples` samples into `frame`, whose buffers must hold at least that many.
    func read(into frame: UnsafeMutablePointer<AVFrame>, samples: Int32) throws(MediaError) {
        try avCall("reading buffered audio", av_audio_fifo_read(fifo, Self.planes(frame), samples))
    }

    /// The frame's plane pointers as FFmpeg's FIFO takes them (`extended_data`: every plane, even past eight).
    private static func planes(_ frame: UnsafeMutablePointer<AVFrame>) -> UnsafeMutablePointer<UnsafeMutableRawPointer?> {
        UnsafeMutableRawPointer(frame.pointee.extended_data).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    }
}
