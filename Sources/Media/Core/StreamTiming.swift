import CFFmpeg

extension UnsafeMutablePointer<AVStream> {
    /// The stream's frame rate as it says it: the average rate, else the real base rate, else 25 fps.
    var nominalFrameRate: AVRational {
        let st = pointee
        return st.avg_frame_rate.isValid ? st.avg_frame_rate : (st.r_frame_rate.isValid ? st.r_frame_rate : AVRational(num: 25, den: 1))
    }

    /// One frame at ``nominalFrameRate``, in the stream's time base (at least 1): the duration of a frame that has none.
    var nominalFrameDuration: Int64 {
        let rate = nominalFrameRate
        return max(1, av_rescale_q(1, AVRational(num: rate.den, den: rate.num), pointee.time_base))
    }

    /// Whether the stream's parameters say its pictures are interlaced (a field order other than progressive or
    /// unknown). A decoder may still flag single frames interlaced in a stream that does not say so.
    var isInterlaced: Bool {
        switch pointee.codecpar.pointee.field_order {
        case AV_FIELD_TT, AV_FIELD_BB, AV_FIELD_TB, AV_FIELD_BT: true
        default: false
        }
    }
}
