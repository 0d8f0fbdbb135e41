import CFFmpeg

extension MediaPass {
    /// The verification of what this pass decoded, against a reported duration.
    func verification(reportedUs: Int64?, tolerance: DurationTolerance) -> Verification {
        let tb = videoTimeBase
        let measured = videoStats.measuredDuration.map { microseconds($0, in: tb) }
        let frameUs = microseconds(nominalFrameDuration, in: tb)
        let declared = declaredVideoDurationUs
        var failure: String?
        if readErrors > 0 { failure = "read error: \(firstReadError ?? "unknown")" }
        let audioDuration = audioTimeBase.flatMap { atb in audioStats.measuredDuration.map { microseconds($0, in: atb) } }
        return Verification.judge(
            path: input.path, measuredUs: measured, reportedUs: reportedUs, declaredUs: declared,
            frames: videoStats.frames, decodeErrors: videoStats.decodeErrors + audioStats.decodeErrors + readErrors,
            toleranceUs: tolerance.resolve(frameDurationUs: frameUs),
            audioFrames: audioStats.frames, audioDurationUs: audioDuration, failure: failure,
            audioFailure: audioFailure?.description
        )
    }

    /// The video stream's duration from the headers, µs (falls back to the container's).
    var declaredVideoDurationUs: Int64? {
        let st = videoStream.pointee
        if st.duration != noPTS, st.duration > 0 { return microseconds(st.duration, in: st.time_base) }
        let ctx = input.context.pointee
        if ctx.duration != noPTS, ctx.duration > 0, ctx.duration_estimation_method != AVFMT_DURATION_FROM_BITRATE {
            return ctx.duration
        }
        return nil
    }
}
