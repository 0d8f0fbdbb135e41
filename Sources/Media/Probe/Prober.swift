import CFFmpeg

/// Reads headers only: fast, no full decode.
enum Prober {
    static func probe(path: String) throws(MediaError) -> ProbeResult {
        let input = try InputFile(path: path, headersOnly: true)
        return describe(input)
    }

    static func describe(_ input: InputFile) -> ProbeResult {
        let ctx = input.context.pointee
        let streams = (0..<input.streamCount).map { describeStream(input.stream($0)) }
        let estimation: String
        switch ctx.duration_estimation_method {
        case AVFMT_DURATION_FROM_PTS: estimation = "pts"
        case AVFMT_DURATION_FROM_STREAM: estimation = "stream"
        default: estimation = "bitrate"
        }
        let size = ctx.pb.map { avio_size($0) }
        return ProbeResult(
            path: input.path,
            formatName: ctx.iformat.map { String(cString: $0.pointee.name) } ?? "unknown",
            durationUs: ctx.duration == noPTS ? nil : ctx.duration,
            durationEstimation: estimation,
            startTimeUs: ctx.start_time == noPTS ? nil : ctx.start_time,
            bitRate: ctx.bit_rate > 0 ? ctx.bit_rate : nil,
            sizeBytes: size.flatMap { $0 >= 0 ? $0 : nil },
            streams: streams
        )
    }

    static func describeStream(_ stream: UnsafeMutablePointer<AVStream>) -> StreamInfo {
        let st = stream.pointee
        let par = st.codecpar.pointee
        let type: String
        switch par.codec_type {
        case AVMEDIA_TYPE_VIDEO: type = "video"
        case AVMEDIA_TYPE_AUDIO: type = "audio"
        case AVMEDIA_TYPE_SUBTITLE: type = "subtitle"
        case AVMEDIA_TYPE_ATTACHMENT: type = "attachment"
        default: type = "data"
        }
        let isVideo = par.codec_type == AVMEDIA_TYPE_VIDEO
        let rotation = isVideo ? displayRotation(stream) : 0
        let sar = av_guess_sample_aspect_ratio(nil, stream, nil)
        var geometry: DisplayGeometry?
        if isVideo, par.width > 0, par.height > 0 {
            geometry = DisplayGeometry(codedWidth: Int(par.width), codedHeight: Int(par.height), sar: sar, rotation: rotation)
        }
        let profileName = avcodec_profile_name(par.codec_id, par.profile).map { String(cString: $0) }
        let pixFmt = isVideo ? av_get_pix_fmt_name(AVPixelFormat(rawValue: par.format)).map { String(cString: $0) } : nil
        return StreamInfo(
            index: Int(st.index),
            type: type,
            codec: String(cString: avcodec_get_name(par.codec_id)),
            profile: profileName,
            width: isVideo ? Int(par.width) : nil,
            height: isVideo ? Int(par.height) : nil,
            sampleAspectRatio: sar.isValid && sar.num != sar.den ? "\(sar.num):\(sar.den)" : nil,
            rotation: rotation,
            displayWidth: geometry?.displayWidth,
            displayHeight: geometry?.displayHeight,
            pixelFormat: pixFmt,
            fieldOrder: isVideo ? fieldOrderName(par.field_order) : nil,
            avgFrameRate: st.avg_frame_rate.isValid ? st.avg_frame_rate.doubleValue : nil,
            realFrameRate: st.r_frame_rate.isValid ? st.r_frame_rate.doubleValue : nil,
            timeBase: "\(st.time_base.num)/\(st.time_base.den)",
            durationUs: st.duration == noPTS ? nil : microseconds(st.duration, in: st.time_base),
            startTimeUs: st.start_time == noPTS ? nil : microseconds(st.start_time, in: st.time_base),
            frameCountHint: st.nb_frames > 0 ? st.nb_frames : nil,
            sampleRate: par.codec_type == AVMEDIA_TYPE_AUDIO ? Int(par.sample_rate) : nil,
            channels: par.codec_type == AVMEDIA_TYPE_AUDIO ? Int(rv_codecpar_channels(st.codecpar)) : nil,
            bitRate: par.bit_rate > 0 ? par.bit_rate : nil,
            isAttachedPicture: (st.disposition & AV_DISPOSITION_ATTACHED_PIC) != 0
        )
    }

    static func fieldOrderName(_ order: AVFieldOrder) -> String? {
        switch order {
        case AV_FIELD_PROGRESSIVE: "progressive"
        case AV_FIELD_TT: "tt"
        case AV_FIELD_BB: "bb"
        case AV_FIELD_TB: "tb"
        case AV_FIELD_BT: "bt"
        default: nil
        }
    }

    /// Clockwise display rotation in whole degrees, normalised to 0..<360.
    static func displayRotation(_ stream: UnsafeMutablePointer<AVStream>) -> Int {
        // av_display_rotation_get is counter-clockwise; players rotate clockwise by its negation.
        let ccw = rv_stream_rotation(stream)
        let cw = Int((-ccw).rounded())
        return ((cw % 360) + 360) % 360
    }
}
