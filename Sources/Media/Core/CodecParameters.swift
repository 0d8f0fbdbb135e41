import CFFmpeg

/// Owns an `AVCodecParameters` (allocated with `avcodec_parameters_alloc`, freed with `avcodec_parameters_free`).
final class CodecParameters {
    let pointer: UnsafeMutablePointer<AVCodecParameters>

    /// The parameters of an opened codec context (for an output stream that carries what it encodes).
    init(of context: UnsafeMutablePointer<AVCodecContext>) throws(MediaError) {
        guard let par = avcodec_parameters_alloc() else { throw MediaError(.ffmpeg, "out of memory allocating codec parameters") }
        let copied = avcodec_parameters_from_context(par, context)
        guard copied >= 0 else {
            var half: UnsafeMutablePointer<AVCodecParameters>? = par
            avcodec_parameters_free(&half)
            throw MediaError(.ffmpeg, "copying codec parameters: \(averrorText(copied))", averror: copied)
        }
        pointer = par
    }

    deinit {
        var par: UnsafeMutablePointer<AVCodecParameters>? = pointer
        avcodec_parameters_free(&par)
    }
}
