import CFFmpeg

/// A sink that hands over the frame shown at each target time (the first frame at or after the target,
/// within half a frame). Targets past the last frame get the last frame.
final class TimedFrameGrabber: VideoFrameSink {
    typealias Handler = (_ frame: Frame, _ target: Int, _ timeUs: Int64) throws(MediaError) -> Void
    /// Target times in µs, ascending.
    let targets: [Int64]
    private var next = 0
    private let handler: Handler
    private let last: Frame
    private var lastTimeUs: Int64 = -1

    init(targets: [Int64], handler: @escaping Handler) throws(MediaError) {
        self.targets = targets.sorted()
        self.handler = handler
        self.last = try Frame()
    }

    var isDone: Bool { next >= targets.count }

    func consume(_ frame: Frame, timeUs: Int64, durationUs: Int64) throws(MediaError) {
        guard !isDone else { return }
        while next < targets.count, timeUs + durationUs / 2 >= targets[next] {
            try handler(frame, next, timeUs)
            next += 1
        }
        if !isDone, timeUs > lastTimeUs {
            av_frame_unref(last.pointer)
            if av_frame_ref(last.pointer, frame.pointer) >= 0 { lastTimeUs = timeUs }
        }
    }

    func finish() throws(MediaError) {
        guard lastTimeUs >= 0 else { return }
        while next < targets.count {
            try handler(last, next, lastTimeUs)
            next += 1
        }
        av_frame_unref(last.pointer)
    }
}
