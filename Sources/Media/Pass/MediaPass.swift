import CFFmpeg

/// One decode of a file that feeds every consumer of a pass: verification counters, thumbnail grabbers and
/// rendition encoders. Runs on the calling thread (a dedicated media thread, never the cooperative pool).
final class MediaPass {
    let input: InputFile
    let videoIndex: Int
    let audioIndex: Int?
    private let video: StreamDecoder
    private let audio: StreamDecoder?
    private let packet: Packet
    private let frame: Frame
    private let audioFrame: Frame
    /// Offset that makes the earliest video timestamp 0, per stream (in each stream's time base).
    private(set) var videoStats = DecodeStats()
    private(set) var audioStats = DecodeStats()
    /// Why the audio stream could not be opened for decoding (nil when it was, or when there is no audio or none
    /// was asked for). The pass then decodes video only; see ``Verification/audioFailure``.
    let audioFailure: MediaError?
    private(set) var readErrors = 0
    private(set) var firstReadError: String?

    var videoSinks: [VideoFrameSink] = []
    var audioSinks: [AudioPacketSink] = []
    /// Receives decoded audio frames (e.g. an AAC re-encoder).
    var audioFrameConsumer: ((Frame) throws(MediaError) -> Void)?
    /// Runs after the last frame is decoded, before the video sinks finish (e.g. flushing shared audio).
    var beforeFinish: (() throws(MediaError) -> Void)?
    var progress: (@Sendable (Double) -> Void)?
    var cancellation: CancellationFlag?
    /// Expected duration for progress, µs.
    var expectedDurationUs: Int64 = 0

    /// `pixelsUsed: false` when no sink will look at the decoded pictures (see ``StreamDecoder``).
    init(input: InputFile, decodeAudio: Bool, pixelsUsed: Bool = true) throws(MediaError) {
        self.input = input
        guard let v = input.bestVideoStreamIndex else {
            throw MediaError(.noVideoStream, input.path)
        }
        videoIndex = v
        audioIndex = input.bestAudioStreamIndex
        video = try StreamDecoder(input: input, streamIndex: v, pixelsUsed: pixelsUsed)
        if decodeAudio, let a = audioIndex {
            // An audio decoder that cannot be opened (no decoder for the codec, parameters the decoder refuses)
            // does not stop the pass: the video is still measured. The error is kept in `audioFailure`, reported
            // by the verification, and fails a rendition that would have to re-encode this audio.
            do {
                audio = try StreamDecoder(input: input, streamIndex: a, threads: 1)
                audioFailure = nil
            } catch {
                audio = nil
                audioFailure = error
            }
        } else {
            audio = nil
            audioFailure = nil
        }
        packet = try Packet()
        frame = try Frame()
        audioFrame = try Frame()
        let probe = Prober.describe(input)
        expectedDurationUs = probe.video?.durationUs ?? probe.durationUs ?? 0
    }

    var videoTimeBase: AVRational { video.timeBase }
    var videoStream: UnsafeMutablePointer<AVStream> { input.stream(videoIndex) }
    var audioStream: UnsafeMutablePointer<AVStream>? { audioIndex.map { input.stream($0) } }

    /// Nominal frame duration in the video time base, from the stream's frame rate.
    lazy var nominalFrameDuration: Int64 = {
        let st = videoStream.pointee
        let rate = st.avg_frame_rate.isValid ? st.avg_frame_rate : (st.r_frame_rate.isValid ? st.r_frame_rate : AVRational(num: 25, den: 1))
        return max(1, av_rescale_q(1, AVRational(num: rate.den, den: rate.num), st.time_base))
    }()

    /// Timestamp origin for outputs: the container's start time rescaled to a stream's time base.
    func originPTS(in timeBase: AVRational) -> Int64 {
        let start = input.context.pointee.start_time
        return start == noPTS ? 0 : av_rescale_q(start, rv_time_base_q(), timeBase)
    }

    /// Reads and decodes the whole file once.
    func run() throws(MediaError) {
        var lastReported = -1.0
        while true {
            if cancellation?.isCancelled == true { throw MediaError(.cancelled, "cancelled") }
            let more: Bool
            do {
                more = try input.read(into: packet)
            } catch {
                // A read error mid-file (cut short, I/O): count it and stop reading.
                readErrors += 1
                firstReadError = firstReadError ?? error.message
                break
            }
            if !more { break }
            defer { packet.unref() }
            let index = Int(packet.pointer.pointee.stream_index)
            if index == videoIndex {
                try decodeVideo(packet)
                if let p = progressFraction(), p - lastReported >= 0.005 {
                    lastReported = p
                    progress?(p)
                }
            } else if index == audioIndex {
                try forwardAudio(packet)
            }
        }
        try decodeVideo(nil)
        if audio != nil { try decodeAudio(nil) }
        try beforeFinish?()
        for sink in videoSinks { try sink.finish() }
        progress?(1.0)
    }

    private func progressFraction() -> Double? {
        guard expectedDurationUs > 0, let first = videoStats.firstPTS, let last = videoStats.lastPTS else { return nil }
        return min(1, Double(microseconds(last - first, in: video.timeBase)) / Double(expectedDurationUs))
    }

    private func decodeVideo(_ packet: Packet?) throws(MediaError) {
        let sent = video.send(packet)
        if sent < 0 && sent != averrorEOF && sent != averrorEAGAIN { videoStats.decodeErrors += 1 }
        while true {
            switch video.receive(into: frame) {
            case .frame:
                defer { frame.unref() }
                videoStats.record(frame, fallbackDuration: nominalFrameDuration)
                try deliver(frame)
            case .needInput, .finished:
                return
            case .error:
                videoStats.decodeErrors += 1
                return
            }
        }
    }

    private func deliver(_ frame: Frame) throws(MediaError) {
        guard !videoSinks.isEmpty else { return }
        let pts = frame.bestEffortPTS
        let first = videoStats.firstPTS ?? pts
        let timeUs = pts == noPTS ? 0 : microseconds(pts - first, in: video.timeBase)
        var duration = rv_frame_duration(frame.pointer)
        if duration <= 0 { duration = nominalFrameDuration }
        let durationUs = microseconds(duration, in: video.timeBase)
        for sink in videoSinks { try sink.consume(frame, timeUs: timeUs, durationUs: durationUs) }
    }

    private func forwardAudio(_ packet: Packet) throws(MediaError) {
        if let stream = audioStream {
            let tb = stream.pointee.time_base
            let origin = originPTS(in: tb)
            for sink in audioSinks { try sink.writeAudio(packet, timeBase: tb, origin: origin) }
        }
        if audio != nil { try decodeAudio(packet) }
    }

    private func decodeAudio(_ packet: Packet?) throws(MediaError) {
        guard let audio else { return }
        let sent = audio.send(packet)
        if sent < 0 && sent != averrorEOF && sent != averrorEAGAIN { audioStats.decodeErrors += 1 }
        while true {
            switch audio.receive(into: audioFrame) {
            case .frame:
                defer { audioFrame.unref() }
                let rate = audioFrame.pointer.pointee.sample_rate
                let samples = Int64(audioFrame.pointer.pointee.nb_samples)
                let fallback = rate > 0 ? av_rescale_q(samples, AVRational(num: 1, den: rate), audio.timeBase) : 0
                audioStats.record(audioFrame, fallbackDuration: fallback)
                try audioFrameConsumer?(audioFrame)
            case .needInput, .finished:
                return
            case .error:
                audioStats.decodeErrors += 1
                return
            }
        }
    }

    var audioTimeBase: AVRational? { audio?.timeBase }
}
