import CFFmpeg

/// Decodes the best audio stream of a file from start to end and counts its samples (no resampling, no output).
enum AudioMeter {
    /// Measures `path`; `.notMedia` when it has no audio stream or not one frame decodes.
    static func measure(path: String, cancellation: CancellationFlag) throws(MediaError) -> AudioMeasurement {
        let input = try InputFile(path: path)
        guard let index = input.bestAudioStreamIndex else { throw MediaError(.notMedia, "\(path) has no audio stream") }
        let decoder = try StreamDecoder(input: input, streamIndex: index)
        let packet = try Packet()
        let frame = try Frame()
        var samples: Int64 = 0
        var frames = 0
        var errors = 0
        var sampleRate = Int(decoder.context.pointee.sample_rate)
        func drain() {
            while true {
                switch decoder.receive(into: frame) {
                case .frame:
                    samples += Int64(frame.pointer.pointee.nb_samples)
                    if frame.pointer.pointee.sample_rate > 0 { sampleRate = Int(frame.pointer.pointee.sample_rate) }
                    frames += 1
                    frame.unref()
                case .needInput, .finished:
                    return
                case .error:
                    errors += 1
                    return
                }
            }
        }
        while try input.read(into: packet) {
            defer { packet.unref() }
            if cancellation.isCancelled { throw MediaError(.cancelled, path) }
            guard Int(packet.pointer.pointee.stream_index) == index else { continue }
            if decoder.send(packet) < 0 { errors += 1 }
            drain()
        }
        _ = decoder.send(nil)
        drain()
        guard frames > 0, sampleRate > 0 else { throw MediaError(.notMedia, "\(path): no audio frame decodes") }
        let stream = input.stream(index)
        let container = input.context.pointee.duration
        return AudioMeasurement(
            codec: String(cString: avcodec_get_name(stream.pointee.codecpar.pointee.codec_id)),
            sampleRate: sampleRate, channels: Int(rv_codecpar_channels(stream.pointee.codecpar)),
            decodedDurationUs: samples * 1_000_000 / Int64(sampleRate),
            containerDurationUs: container == rv_nopts() ? nil : container,
            frames: frames, decodeErrors: errors)
    }
}
