import CFFmpeg

/// Picks a representative poster: among evenly spaced candidates, the frame with the richest luma histogram
/// (entropy) that is neither black nor near-uniform. Keeps one reference to the best frame so far.
final class PosterPicker {
    private(set) var grabber: TimedFrameGrabber!
    private let best: Frame
    private var bestScore = -Double.infinity
    private var bestTimeUs: Int64 = 0
    private let geometry: DisplayGeometry
    private let request: ThumbnailRequest
    private let path: String

    init(geometry: DisplayGeometry, durationUs: Int64, request: ThumbnailRequest, path: String, candidates: Int = 16) throws(MediaError) {
        self.geometry = geometry
        self.request = request
        self.path = path
        best = try Frame()
        let targets = (0..<candidates).map { i in durationUs * Int64(2 * i + 1) / Int64(2 * candidates) }
        grabber = try TimedFrameGrabber(targets: targets) { [unowned self] frame, _, timeUs, _ throws(MediaError) in
            self.consider(frame, timeUs: timeUs)
        }
    }

    private func consider(_ frame: Frame, timeUs: Int64) {
        let stats = PictureOps.lumaStatistics(frame)
        let usable = stats.mean > 24 && stats.mean < 240 && stats.stddev > 12
        // Usable frames always beat unusable ones; among each group, more detail wins.
        let score = (usable ? 1000 : 0) + stats.entropy * 10 + stats.stddev / 100
        guard score > bestScore else { return }
        av_frame_unref(best.pointer)
        if av_frame_ref(best.pointer, frame.pointer) >= 0 {
            bestScore = score
            bestTimeUs = timeUs
        }
    }

    func write() throws(MediaError) -> StillImage? {
        guard bestScore > -Double.infinity else { return nil }
        defer { av_frame_unref(best.pointer) }
        let renderer = try PictureRenderer(geometry: geometry, longSide: request.posterLongSide, format: request.format)
        try ImageEncoder.write(try renderer.render(best), format: request.format, to: path)
        return StillImage(path: path, timeUs: bestTimeUs, width: renderer.width, height: renderer.height,
                          blank: PictureOps.isBlank(best))
    }
}
