#ifndef REELVAULT_CFFMPEG_SHIM_H
#define REELVAULT_CFFMPEG_SHIM_H

// The one place that knows FFmpeg's C headers. Macros that Swift cannot import are re-exported as
// inline functions; fields renamed between FFmpeg versions are read through accessors below, so a
// move from Debian 12's FFmpeg 5.1 to 6/7 is a change to this file only.

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/channel_layout.h>
#include <libavutil/audio_fifo.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersrc.h>
#include <libavfilter/buffersink.h>
#include <stdlib.h>

static inline int rv_averror(int e) { return AVERROR(e); }
static inline int rv_averror_eof(void) { return AVERROR_EOF; }
static inline int rv_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int rv_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int rv_averror_input_changed(void) { return AVERROR_INPUT_CHANGED; }
static inline int64_t rv_nopts(void) { return AV_NOPTS_VALUE; }
static inline int rv_time_base(void) { return AV_TIME_BASE; }
static inline AVRational rv_time_base_q(void) { return (AVRational){1, AV_TIME_BASE}; }
static inline int rv_error_string(int err, char *buf, size_t size) { return av_strerror(err, buf, size); }

/// Duration of a decoded frame in its stream's time base (FFmpeg 5.1: `pkt_duration`; 6+: `duration`).
static inline int64_t rv_frame_duration(const AVFrame *f) {
#if LIBAVUTIL_VERSION_MAJOR >= 58
    return f->duration;
#else
    return f->pkt_duration;
#endif
}

/// Whether the decoder flagged this frame as corrupt, or concealed damage in it (decode_error_flags).
static inline int rv_frame_is_corrupt(const AVFrame *f) {
    return ((f->flags & AV_FRAME_FLAG_CORRUPT) || f->decode_error_flags) ? 1 : 0;
}

static inline int rv_frame_is_keyframe(const AVFrame *f) {
#if LIBAVUTIL_VERSION_MAJOR >= 58
    return (f->flags & AV_FRAME_FLAG_KEY) ? 1 : 0;
#else
    return f->key_frame;
#endif
}

/// Whether the frame holds two interlaced fields (FFmpeg 5.1: `interlaced_frame`; 6.1+: a flag).
static inline int rv_frame_is_interlaced(const AVFrame *f) {
#if LIBAVUTIL_VERSION_MAJOR >= 59 || (LIBAVUTIL_VERSION_MAJOR == 58 && LIBAVUTIL_VERSION_MINOR >= 29)
    return (f->flags & AV_FRAME_FLAG_INTERLACED) ? 1 : 0;
#else
    return f->interlaced_frame;
#endif
}

/// The sample rate the encoder supports nearest to `rate` (`rate` itself when the encoder lists none).
static inline int rv_nearest_sample_rate(const AVCodec *c, int rate) {
    const int *r = c->supported_samplerates;
    if (!r) return rate;
    int best = 0;
    for (; *r; r++) {
        if (!best || abs(*r - rate) < abs(best - rate) || (abs(*r - rate) == abs(best - rate) && *r > best)) best = *r;
    }
    return best ? best : rate;
}

/// The encoder's preferred sample format (its first listed), or `fallback`.
static inline enum AVSampleFormat rv_first_sample_format(const AVCodec *c, enum AVSampleFormat fallback) {
    return (c->sample_fmts && c->sample_fmts[0] != AV_SAMPLE_FMT_NONE) ? c->sample_fmts[0] : fallback;
}

/// Display rotation in degrees (counter-clockwise, as av_display_rotation_get) from the stream's
/// display matrix side data; 0 when absent. FFmpeg 7 moved side data to codecpar.
static inline double rv_stream_rotation(const AVStream *st) {
#if LIBAVFORMAT_VERSION_MAJOR >= 61
    const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                         st->codecpar->nb_coded_side_data,
                                                         AV_PKT_DATA_DISPLAYMATRIX);
    const uint8_t *m = sd ? sd->data : NULL;
#else
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
#endif
    if (!m) return 0.0;
    double r = av_display_rotation_get((const int32_t *)m);
    return r != r ? 0.0 : r; // NaN -> 0
}

/// Sets a stream's display matrix to a rotation of `cw` degrees clockwise (av_display_rotation_set's convention;
/// av_display_rotation_get then reads back -cw, i.e. counter-clockwise).
static inline int rv_stream_set_rotation(AVStream *st, double cw) {
#if LIBAVFORMAT_VERSION_MAJOR >= 61
    AVPacketSideData *sd = av_packet_side_data_new(&st->codecpar->coded_side_data, &st->codecpar->nb_coded_side_data,
                                                   AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t), 0);
    if (!sd) return AVERROR(ENOMEM);
    av_display_rotation_set((int32_t *)sd->data, cw);
#else
    uint8_t *m = av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t));
    if (!m) return AVERROR(ENOMEM);
    av_display_rotation_set((int32_t *)m, cw);
#endif
    return 0;
}

/// Channel count (FFmpeg 5.1 has both `channels` and `ch_layout`; 7 only `ch_layout`).
static inline int rv_codecpar_channels(const AVCodecParameters *p) { return p->ch_layout.nb_channels; }

static inline int rv_frame_channels(const AVFrame *f) { return f->ch_layout.nb_channels; }

/// Sets libx264's preset and CRF, and the encoder's thread count (0 = automatic).
static inline int rv_set_x264_opts(AVCodecContext *ctx, const char *preset, int crf, int threads) {
    int r = av_opt_set(ctx->priv_data, "preset", preset, 0);
    if (r < 0) return r;
    char buf[16];
    snprintf(buf, sizeof buf, "%d", crf);
    r = av_opt_set(ctx->priv_data, "crf", buf, 0);
    if (r < 0) return r;
    ctx->thread_count = threads;
    return 0;
}

#endif
