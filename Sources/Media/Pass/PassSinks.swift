import CFFmpeg

/// Receives every decoded video frame of a pass, in presentation order.
/// `timeUs` is the frame's time on the file's presentation timeline (the container's start is 0, as for ffprobe and
/// players; a video that starts late has its first frame after 0).
protocol VideoFrameSink: AnyObject {
    func consume(_ frame: Frame, timeUs: Int64, durationUs: Int64) throws(MediaError)
    /// Called once after the last frame (not called when the pass fails).
    func finish() throws(MediaError)
}

/// Receives compressed audio packets for the outputs of a pass (copied from the source or re-encoded).
protocol AudioPacketSink: AnyObject {
    /// `packet` timestamps are in `timeBase`; `origin` (same base) is subtracted so outputs start at 0.
    func writeAudio(_ packet: Packet, timeBase: AVRational, origin: Int64) throws(MediaError)
}
