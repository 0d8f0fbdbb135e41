import CFFmpeg

/// A rectangle in pixels.
struct PixelRect: Equatable, Sendable {
    var x: Int, y: Int, width: Int, height: Int
}

/// Owns one `SwsContext`: scales a (cropped) region of a source picture into a region of a destination frame.
/// Recreated only when the source size or format changes.
final class Scaler {
    private var context: OpaquePointer?
    private var key: (Int32, Int32, Int32) = (0, 0, -1)
    let crop: PixelRect?
    let destination: PixelRect
    let destinationFormat: AVPixelFormat
    let flags: Int32

    /// - crop: part of the source to use (nil: all of it). - destination: where the picture goes in the output frame.
    init(crop: PixelRect?, destination: PixelRect, format: AVPixelFormat, flags: Int32 = SWS_BICUBIC) {
        self.crop = crop
        self.destination = destination
        self.destinationFormat = format
        self.flags = flags
    }

    deinit { sws_freeContext(context) }

    func scale(_ source: Frame, into output: Frame) throws(MediaError) {
        let src = source.pointer.pointee
        let region = crop ?? PixelRect(x: 0, y: 0, width: Int(src.width), height: Int(src.height))
        if context == nil || key != (src.width, src.height, src.format) {
            sws_freeContext(context)
            context = sws_getContext(
                Int32(region.width), Int32(region.height), AVPixelFormat(rawValue: src.format),
                Int32(destination.width), Int32(destination.height), destinationFormat, flags, nil, nil, nil)
            key = (src.width, src.height, src.format)
            guard context != nil else {
                throw MediaError(.ffmpeg, "cannot scale \(region.width)x\(region.height) to \(destination.width)x\(destination.height)")
            }
        }
        let srcData = planePointers(source.pointer, at: region.x, region.y, format: AVPixelFormat(rawValue: src.format)).map { $0.map { UnsafePointer($0) } }
        let srcStride = strides(source.pointer)
        let dstData = planePointers(output.pointer, at: destination.x, destination.y, format: destinationFormat)
        let dstStride = strides(output.pointer)
        let rows = srcData.withUnsafeBufferPointer { sp in
            srcStride.withUnsafeBufferPointer { ss in
                dstData.withUnsafeBufferPointer { dp in
                    dstStride.withUnsafeBufferPointer { ds in
                        sws_scale(context, sp.baseAddress, ss.baseAddress, 0, Int32(region.height), dp.baseAddress, ds.baseAddress)
                    }
                }
            }
        }
        try avCall("scaling a frame", rows)
    }
}

/// Plane pointers of a frame offset to pixel (x, y), honouring chroma subsampling.
func planePointers(_ frame: UnsafeMutablePointer<AVFrame>, at x: Int, _ y: Int, format: AVPixelFormat) -> [UnsafeMutablePointer<UInt8>?] {
    let desc = av_pix_fmt_desc_get(format)
    let count = Int(av_pix_fmt_count_planes(format))
    return withUnsafeBytes(of: frame.pointee.data) { raw in
        let data = raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
        return (0..<8).map { p -> UnsafeMutablePointer<UInt8>? in
            guard p < count, let base = data[p] else { return nil }
            let chroma = (p == 1 || p == 2) ? desc : nil
            let px = chroma.map { x >> Int($0.pointee.log2_chroma_w) } ?? x
            let py = chroma.map { y >> Int($0.pointee.log2_chroma_h) } ?? y
            let step = desc.map { componentStep($0, plane: p) } ?? 1
            let linesize = withUnsafeBytes(of: frame.pointee.linesize) { $0.bindMemory(to: Int32.self)[p] }
            return base + py * Int(linesize) + px * step
        }
    }
}

func strides(_ frame: UnsafeMutablePointer<AVFrame>) -> [Int32] {
    withUnsafeBytes(of: frame.pointee.linesize) { Array($0.bindMemory(to: Int32.self)) }
}

private func componentStep(_ desc: UnsafePointer<AVPixFmtDescriptor>, plane: Int) -> Int {
    let comps = withUnsafeBytes(of: desc.pointee.comp) { Array($0.bindMemory(to: AVComponentDescriptor.self)) }
    for c in comps.prefix(Int(desc.pointee.nb_components)) where Int(c.plane) == plane {
        return Int(c.step)
    }
    return 1
}
