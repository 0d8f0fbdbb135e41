import CFFmpeg

/// Turns decoded frames into upright, square-pixel pictures of a fixed size for still images.
final class PictureRenderer {
    let width: Int
    let height: Int
    private let geometry: DisplayGeometry
    private let scaler: Scaler
    private let scaled: Frame
    private let format: ImageFormat

    /// Fits the displayed picture into `longSide` (never upscaled), even dimensions.
    init(geometry: DisplayGeometry, longSide: Int, format: ImageFormat) throws(MediaError) {
        self.geometry = geometry
        self.format = format
        let dw = geometry.displayWidth, dh = geometry.displayHeight
        let factor = min(1.0, Double(longSide) / Double(max(dw, dh)))
        width = max(2, Int((Double(dw) * factor / 2).rounded()) * 2)
        height = max(2, Int((Double(dh) * factor / 2).rounded()) * 2)
        let codedW = geometry.isQuarterTurn ? height : width
        let codedH = geometry.isQuarterTurn ? width : height
        scaler = Scaler(crop: nil, destination: PixelRect(x: 0, y: 0, width: codedW, height: codedH),
                        format: format.pixelFormat, flags: SWS_BICUBIC | SWS_ACCURATE_RND)
        scaled = try Frame(width: Int32(codedW), height: Int32(codedH), format: format.pixelFormat)
    }

    /// The frame scaled and rotated upright. The result is valid until the next call.
    func render(_ frame: Frame) throws(MediaError) -> Frame {
        try scaled.makeWritable()
        try scaler.scale(frame, into: scaled)
        scaled.pointer.pointee.color_range = format == .jpeg ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        guard geometry.rotation != 0 else { return scaled }
        let upright = try PictureOps.rotated(scaled, clockwise: geometry.rotation)
        upright.pointer.pointee.color_range = scaled.pointer.pointee.color_range
        return upright
    }
}
