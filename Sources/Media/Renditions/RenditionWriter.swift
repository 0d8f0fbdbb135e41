import CFFmpeg

/// One rendition of a pass, as the pass sees it: a sink that hands each frame and audio packet (as new
/// references) to the rendition's own encoder thread, so renditions scale and encode in parallel with decoding.
final class RenditionWriter: VideoFrameSink, AudioPacketSink {
    let preset: RenditionPreset
    let layout: RenditionLayout
    let path: String
    private let thread: EncoderThread
    private var finished = false

    init(pass: MediaPass, preset: RenditionPreset, layout: RenditionLayout, geometry: DisplayGeometry, path: String,
         settings: EncoderSettings, audio: AudioSource?) throws(MediaError) {
        self.preset = preset
        self.layout = layout
        self.path = path
        let encoder = try RenditionEncoder(pass: pass, layout: layout, geometry: geometry, path: path, settings: settings, audio: audio)
        thread = EncoderThread(name: preset.name) { item throws(MediaError) in
            switch item {
            case .video(let frame): try encoder.encode(frame)
            case .audio(let packet, let timeBase, let origin): try encoder.writeAudio(packet, timeBase: timeBase, origin: origin)
            case .finish: try encoder.finish()
            case .abort: break
            }
        }
    }

    deinit {
        if !finished { thread.abandon() }
    }

    func consume(_ frame: Frame, timeUs: Int64, durationUs: Int64) throws(MediaError) {
        let reference = try Frame()
        try avCall("referencing a frame", av_frame_ref(reference.pointer, frame.pointer))
        try thread.send(.video(reference))
    }

    func writeAudio(_ packet: Packet, timeBase: AVRational, origin: Int64) throws(MediaError) {
        let reference = try Packet()
        try avCall("referencing an audio packet", av_packet_ref(reference.pointer, packet.pointer))
        try thread.send(.audio(reference, timeBase: timeBase, origin: origin))
    }

    func finish() throws(MediaError) {
        finished = true
        try thread.finish()
    }
}

/// The encoder side of a rendition: scale to the preset, encode H.264, mux with the audio into an MP4 written beside
/// its final name.
///
/// `@unchecked Sendable` only so that the `@Sendable` block of its `EncoderThread` can capture it. Safe because it is
/// used by one thread at a time: `RenditionWriter.init` makes it on the decode thread and hands it to the
/// `EncoderThread` closure without keeping a reference; from then on only the encoder thread calls it, and it is
/// freed when that thread ends. Its FFmpeg handles (output, encoder, scaler, frame, packet) are never shared: audio
/// and video arrive as new references through `EncoderItem`.
final class RenditionEncoder: @unchecked Sendable {
    private let output: OutputFile
    private let encoder: VideoEncoder
    private let scaler: Scaler
    private let picture: Frame
    private let packet: Packet
    private let videoStream: UnsafeMutablePointer<AVStream>
    private let audioStream: UnsafeMutablePointer<AVStream>?
    private let sourceTimeBase: AVRational
    private let origin: Int64
    private let nominalDuration: Int64

    init(pass: MediaPass, layout: RenditionLayout, geometry: DisplayGeometry, path: String,
         settings: EncoderSettings, audio: AudioSource?) throws(MediaError) {
        let coded = layout.coded(geometry)
        let src = pass.videoStream.pointee
        sourceTimeBase = src.time_base
        origin = pass.originPTS(in: src.time_base)
        nominalDuration = pass.nominalFrameDuration
        output = try OutputFile(path: path)
        encoder = try VideoEncoder(width: coded.width, height: coded.height, timeBase: src.time_base,
                                   frameRate: src.avg_frame_rate.isValid ? src.avg_frame_rate : src.r_frame_rate,
                                   settings: settings, globalHeader: output.needsGlobalHeader)
        videoStream = try output.addStream()
        try avCall("copying encoder parameters", avcodec_parameters_from_context(videoStream.pointee.codecpar, encoder.context))
        videoStream.pointee.time_base = src.time_base
        // Interlaced sources reach the encoder deinterlaced (see `MediaPass.deliver`): the rendition is progressive.
        videoStream.pointee.codecpar.pointee.field_order = AV_FIELD_PROGRESSIVE
        if geometry.rotation != 0 {
            try avCall("setting display rotation", rv_stream_set_rotation(videoStream, Double(geometry.rotation)))
        }
        if let audio {
            let st = try output.addStream()
            try avCall("copying audio parameters", avcodec_parameters_copy(st.pointee.codecpar, audio.parameters))
            st.pointee.codecpar.pointee.codec_tag = 0
            st.pointee.time_base = audio.timeBase
            audioStream = st
        } else {
            audioStream = nil
        }
        scaler = Scaler(crop: coded.crop, destination: coded.content, format: AV_PIX_FMT_YUV420P)
        picture = try Frame(width: Int32(coded.width), height: Int32(coded.height), format: AV_PIX_FMT_YUV420P)
        PictureOps.fillBlack(picture, fullRange: false)
        packet = try Packet()

        try output.writeHeader()
    }

    func encode(_ frame: Frame) throws(MediaError) {
        try picture.makeWritable()
        try scaler.scale(frame, into: picture)
        let pts = frame.bestEffortPTS
        picture.pointer.pointee.pts = pts == noPTS ? noPTS : pts - origin
        picture.pointer.pointee.pict_type = AV_PICTURE_TYPE_NONE
        try encoder.encode(picture, into: packet, emit: mux)
    }

    func finish() throws(MediaError) {
        try encoder.encode(nil, into: packet, emit: mux)
        try output.finish()
    }

    private func mux(_ packet: Packet) throws(MediaError) {
        if packet.pointer.pointee.duration <= 0 { packet.pointer.pointee.duration = nominalDuration }
        packet.pointer.pointee.stream_index = videoStream.pointee.index
        av_packet_rescale_ts(packet.pointer, sourceTimeBase, videoStream.pointee.time_base)
        try output.write(packet)
    }

    /// Writes an audio packet (shifted by `origin`, in `timeBase`) into this rendition; takes its contents.
    func writeAudio(_ packet: Packet, timeBase: AVRational, origin: Int64) throws(MediaError) {
        guard let audioStream else { packet.unref(); return }
        let audioPacket = packet
        let p = audioPacket.pointer
        if p.pointee.pts != noPTS { p.pointee.pts -= origin }
        if p.pointee.dts != noPTS { p.pointee.dts -= origin }
        if p.pointee.pts != noPTS, p.pointee.pts < 0 {
            audioPacket.unref() // audio before the first video frame is dropped
            return
        }
        p.pointee.stream_index = audioStream.pointee.index
        av_packet_rescale_ts(p, timeBase, audioStream.pointee.time_base)
        try output.write(audioPacket)
    }
}

/// Where a pass's rendition audio comes from: the source's AAC stream, or the shared AAC re-encoder.
struct AudioSource {
    let parameters: UnsafePointer<AVCodecParameters>
    let timeBase: AVRational
}
