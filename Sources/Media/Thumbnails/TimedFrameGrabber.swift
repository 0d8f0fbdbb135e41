import CFFmpeg

/// A sink that hands over the frame on screen at each target time: the last frame that starts at or before the target
/// (the frame whose span covers it), or the first frame when the target comes before the video starts. Targets past
/// the last frame get the last frame (clamped).
final class TimedFrameGrabber: VideoFrameSink {
    typealias Handler = (_ frame: Frame, _ target: Int, _ timeUs: Int64, _ durationUs: Int64) throws(MediaError) -> Void
    /// Target times in µs, ascending.
    let targets: [Int64]
    private var next = 0
    private let handler: Handler
    private let last: Frame
    private var lastTimeUs: Int64 = .min
    private var lastDurationUs: Int64 = 0

    init(targets: [Int64], handler: @escaping Handler) throws(MediaError) {
        self.targets = targets.sorted()
        self.handler = handler
        self.last = try Frame()
    }

    var isDone: Bool { next >= targets.count }

    func consume(_ frame: Frame, timeUs: Int64, durationUs: Int64) throws(MediaError) {
        guard !isDone else { return }
        while next < targets.count, timeUs + max(durationUs, 1) > targets[next] {
            try handler(frame, next, timeUs, durationUs)
            next += 1
        }
        if !isDone, timeUs > lastTimeUs {
            av_frame_unref(last.pointer)
            if av_frame_ref(last.pointer, frame.pointer) >= 0 { (lastTimeUs, lastDurationUs) = (timeUs, durationUs) }
        }
    }

    func finish() throws(MediaError) {
        guard lastTimeUs > .min else { return }
        while next < targets.count {
            try handler(last, next, lastTimeUs, lastDurationUs)
            next += 1
        }
        av_frame_unref(last.pointer)
    }
}
