import CFFmpeg

/// What one full decode of a stream measured.
struct DecodeStats {
    var frames = 0
    var decodeErrors = 0
    var firstPTS: Int64?
    var lastPTS: Int64?
    var lastDuration: Int64 = 0
    /// Largest pts + duration seen (frames can arrive with equal or reordered pts in broken files).
    var endPTS: Int64?

    /// Records one decoded frame. Frames flagged corrupt count as decode errors.
    mutating func record(_ frame: Frame, fallbackDuration: Int64) {
        frames += 1
        if rv_frame_is_corrupt(frame.pointer) != 0 { decodeErrors += 1 }
        let pts = frame.bestEffortPTS
        guard pts != noPTS else { return }
        firstPTS = min(firstPTS ?? pts, pts)
        var duration = rv_frame_duration(frame.pointer)
        if duration <= 0 { duration = fallbackDuration }
        lastPTS = pts
        lastDuration = duration
        let end = pts + duration
        endPTS = max(endPTS ?? end, end)
    }

    /// last pts + last frame duration − first pts, in the stream's time base.
    var measuredDuration: Int64? {
        guard let firstPTS, let endPTS else { return nil }
        return endPTS - firstPTS
    }
}
