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
    /// Deinterlaces the pictures the sinks see, made at the first interlaced frame (see ``deliver(_:)``).
    private var deinterlacer: Deinterlacer?
    private let deinterlaced: Frame
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
        deinterlaced = try Frame()
        let probe = Prober.describe(input)
        expectedDurationUs = probe.video?.durationUs ?? probe.durationUs ?? 0
    }

    var videoTimeBase: AVRational { video.timeBase }
    var videoStream: UnsafeMutablePointer<AVStream> { input.stream(videoIndex) }
    var audioStream: UnsafeMutablePointer<AVStream>? { audioIndex.map { input.stream($0) } }

    /// Nominal frame duration in the video time base, from the stream's frame rate.
    lazy var nominalFrameDuration: Int64 = videoStream.nominalFrameDuration

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
        try drainDeinterlacer()
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
                stampIfMissing(frame)
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

    /// A frame without a timestamp (raw streams, some muxers' packets) gets one: the previous frame's time plus its
    /// duration (from the stream's frame rate when the frame does not say), or the file's start for the first. The
    /// decoder's best-effort timestamp is used when it has one; measurements, stills and renditions then see a timeline.
    private func stampIfMissing(_ frame: Frame) {
        guard frame.bestEffortPTS == noPTS else { return }
        let pts = videoStats.lastPTS.map { $0 + max(videoStats.lastDuration, 1) } ?? originPTS(in: video.timeBase)
        frame.pointer.pointee.pts = pts
        frame.pointer.pointee.best_effort_timestamp = pts
    }

    /// Hands a frame to the sinks, with its time on the file's presentation timeline (the container's start is 0, as
    /// for ffprobe and players). Interlaced pictures go through a deinterlacer first (made at the first frame flagged
    /// interlaced, or at the first frame of a stream whose field order says so), so stills and renditions never show
    /// combing; `bwdif` gives one frame per frame, one frame late (the rest come out in ``drainDeinterlacer()``).
    private func deliver(_ frame: Frame) throws(MediaError) {
        guard !videoSinks.isEmpty else { return }
        if deinterlacer == nil, rv_frame_is_interlaced(frame.pointer) != 0 || streamIsInterlaced {
            deinterlacer = try Deinterlacer(like: frame, timeBase: video.timeBase)
        }
        guard let deinterlacer else { return try hand(frame) }
        try deinterlacer.push(frame)
        while try deinterlacer.pull(into: deinterlaced) {
            defer { deinterlaced.unref() }
            try hand(deinterlaced)
        }
    }

    private func drainDeinterlacer() throws(MediaError) {
        guard let deinterlacer else { return }
        try deinterlacer.push(nil)
        while try deinterlacer.pull(into: deinterlaced) {
            defer { deinterlaced.unref() }
            try hand(deinterlaced)
        }
    }

    private lazy var streamIsInterlaced: Bool = videoStream.isInterlaced

    private lazy var originUs: Int64 = {
        let start = input.context.pointee.start_time
        return start == noPTS ? 0 : start
    }()

    private func hand(_ frame: Frame) throws(MediaError) {
        let pts = frame.bestEffortPTS
        let timeUs = pts == noPTS ? 0 : microseconds(pts, in: video.timeBase) - originUs
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
