import CFFmpeg
import Foundation

/// Runs one full pass on the media thread: opens the file, wires the sinks, decodes once, checks the outputs.
struct PassRunner {
    let path: String
    let request: PassRequest
    let progress: MediaEngine.Progress?
    let cancellation: CancellationFlag

    func run() throws(MediaError) -> PassReport {
        let started = Date()
        let input: InputFile
        do {
            input = try InputFile(path: path)
        } catch where error.code == .notMedia {
            return notMedia(error)
        }
        // The report carries the same header probe as `MediaEngine.probe` (headers only), not the decoder-filled one.
        // The file is open already: should a second, header-only open fail (the file replaced meanwhile), the open
        // input's own description of the same streams stands in; nothing is lost that the pass below would not see.
        let probe: ProbeResult
        do {
            probe = try Prober.probe(path: path)
        } catch {
            probe = Prober.describe(input)
        }
        guard probe.video != nil else { return notMedia(MediaError(.noVideoStream, path)) }
        // A file whose headers open but whose video cannot even be set up for decoding is undecodable, not an error.
        let geometry: DisplayGeometry
        let pass: MediaPass
        do {
            geometry = try MediaEngine.geometryOf(probe, path: path)
            // A verification alone keeps no picture: the decoder may skip the work that only makes pictures prettier.
            let pixelsUsed = (!request.thumbnails.isEmpty && request.thumbnailDirectory != nil)
                || (!request.presets.isEmpty && request.renditionDirectory != nil)
            pass = try MediaPass(input: input, decodeAudio: true, pixelsUsed: pixelsUsed)
        } catch where error.code != .cancelled && error.code != .io && error.code != .noSpace {
            return notMedia(error)
        }
        pass.progress = progress
        pass.cancellation = cancellation

        var job: ThumbnailJob?
        if !request.thumbnails.isEmpty, let dir = request.thumbnailDirectory {
            let thumbnails = try ThumbnailJob(request: request.thumbnails, directory: dir, geometry: geometry,
                                              durationUs: MediaEngine.timelineEndUs(probe))
            pass.videoSinks += thumbnails.grabbers
            job = thumbnails
        }
        var writers: [RenditionWriter] = []
        var skipped: [SkippedRendition] = []
        if !request.presets.isEmpty, let dir = request.renditionDirectory {
            try makeDirectory(dir)
            var audio: AudioSource?
            var transcoder: AudioTranscoder?
            if let st = pass.audioStream {
                if st.pointee.codecpar.pointee.codec_id == AV_CODEC_ID_AAC {
                    audio = AudioSource(parameters: st.pointee.codecpar, timeBase: st.pointee.time_base)
                } else if let failure = pass.audioFailure {
                    // Re-encoding needs the decoded audio: writing the renditions without it would drop the sound
                    // silently. The code is kept (codecUnavailable says which package to install).
                    throw MediaError(failure.code, "\(path): renditions need the audio re-encoded to AAC, but its decoder "
                                     + "could not be opened (\(failure.message))", averror: failure.averror)
                } else {
                    let t = try AudioTranscoder(source: st, origin: pass.originPTS(in: st.pointee.time_base), globalHeader: true)
                    audio = AudioSource(parameters: t.parameters, timeBase: t.timeBase)
                    transcoder = t
                }
            }
            for preset in request.presets {
                guard let layout = RenditionLayout.resolve(preset, displayWidth: geometry.displayWidth, displayHeight: geometry.displayHeight) else {
                    skipped.append(SkippedRendition(preset: preset.name,
                        reason: "would upscale \(geometry.displayWidth)×\(geometry.displayHeight) (renditions are never upscaled)"))
                    continue
                }
                writers.append(try RenditionWriter(pass: pass, preset: preset, layout: layout, geometry: geometry,
                                                   path: "\(dir)/\(preset.name).mp4", settings: request.encoder, audio: audio))
            }
            if let transcoder {
                transcoder.sinks = writers
                pass.audioFrameConsumer = { frame throws(MediaError) in try transcoder.consume(frame) }
                pass.beforeFinish = { () throws(MediaError) in try transcoder.drain(final: true) }
            } else if audio != nil {
                pass.audioSinks = writers
            }
            pass.videoSinks += writers as [VideoFrameSink]
        }

        try pass.run()
        let verification = pass.verification(reportedUs: request.reportedDurationUs, tolerance: request.tolerance)
        let stills = try job?.result() ?? ThumbnailSet()
        var renditions: [RenditionResult] = []
        if verification.verdict == .undecodable {
            // Renditions of a broken source are not kept: they would look fine and hide the damage.
            for writer in writers {
                unlink(writer.path)
                skipped.append(SkippedRendition(preset: writer.preset.name, reason: "source is undecodable: \(verification.reason ?? "")"))
            }
        } else {
            for writer in writers { renditions.append(try check(writer, against: verification)) }
        }
        return PassReport(probe: probe, verification: verification, thumbnails: stills, renditions: renditions,
                          skipped: skipped, seconds: Date().timeIntervalSince(started))
    }

    /// Probes a written rendition: its displayed size must be the preset's, its duration the source's.
    private func check(_ writer: RenditionWriter, against source: Verification) throws(MediaError) -> RenditionResult {
        let out = try Prober.probe(path: writer.path)
        guard let v = out.video, let w = v.displayWidth, let h = v.displayHeight else {
            throw MediaError(.outputCheckFailed, "\(writer.path) has no video stream")
        }
        guard w == writer.layout.width, h == writer.layout.height else {
            throw MediaError(.outputCheckFailed, "\(writer.path) is \(w)x\(h), expected \(writer.layout.width)x\(writer.layout.height)")
        }
        let duration = v.durationUs ?? out.durationUs ?? 0
        if let measured = source.measuredDurationUs, abs(duration - measured) > source.toleranceUs {
            throw MediaError(.outputCheckFailed, "\(writer.path) lasts \(duration) µs, the source \(measured) µs (tolerance \(source.toleranceUs) µs)")
        }
        return RenditionResult(preset: writer.preset.name, path: writer.path, width: w, height: h,
                               bytes: out.sizeBytes ?? 0, durationUs: duration)
    }

    private func notMedia(_ error: MediaError) -> PassReport {
        var verification = Verification.judge(path: path, measuredUs: nil, reportedUs: request.reportedDurationUs, declaredUs: nil,
                                              frames: 0, decodeErrors: 0, toleranceUs: request.tolerance.minimumUs,
                                              audioFrames: 0, audioDurationUs: nil, failure: error.description)
        verification.failureCode = error.code
        let probe = ProbeResult(path: path, formatName: "unknown", durationUs: nil, durationEstimation: "none",
                                startTimeUs: nil, bitRate: nil, sizeBytes: nil, streams: [])
        return PassReport(probe: probe, verification: verification, thumbnails: ThumbnailSet(), renditions: [], skipped: [], seconds: 0)
    }
}
