import ArgumentParser
import Foundation
import Media
import ReelBasics

/// `reel media pipeline`: the whole per-video pass on a local file, as `reel archive` runs it on a download —
/// verification, a poster, 5 evenly spaced thumbnails, a storyboard and the rendition ladder, from one decode.
/// A developer and benchmark tool (`Tools/bench/`); hidden from `reel media --help`.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Verify, thumbnail (poster, 5 stills, storyboard) and transcode one local file in one decode.",
        discussion: """
        Writes poster.jpg, thumbs/NN.jpg and storyboard/ into --out, and renditions/<preset>.mp4 below it. \
        A developer and benchmark tool: the same pass `reel archive` runs on each downloaded video.

        EXAMPLES:
          reel media pipeline clip.mp4 --out work
          reel media pipeline clip.mp4 --out work --reported-us 8000000 --json
        """,
        shouldDisplay: false)

    @Argument(help: "Video file.") var file: String
    @Option(name: .long, help: "Output directory (created if missing).") var out: String
    @Option(name: .long, help: "Comma-separated rendition presets.") var preset: String = "720p,480p"
    @Option(name: .customLong("reported-us"), help: "Reported duration in microseconds, to verify against \(Settings.reportedUs.help()).",
            transform: Settings.reportedUs.argument)
    var reportedUs: Int64?
    @Option(name: .long, help: "Number of evenly spaced thumbnails \(Settings.thumbnailCount.help(default: "5")).",
            transform: Settings.thumbnailCount.argument) var count: Int = 5
    @Option(name: .long, help: "libx264 CRF \(Settings.crf.help(default: "23")).", transform: Settings.crf.argument) var crf: Int = 23
    @Option(name: .customLong("x264-preset"), help: "libx264 preset.") var x264Preset: String = "veryfast"
    @Flag(name: .long, help: "Print the whole pass as one JSON object: {\"probe\", \"verification\", \"thumbnails\", \"renditions\", \"skipped\", \"seconds\"}.")
    var json = false

    func validate() throws {
        if !RenderCommand.x264Presets.contains(x264Preset) {
            throw ValidationError("--x264-preset must be one of \(RenderCommand.x264Presets.joined(separator: ", "))")
        }
        do { _ = try RenditionPreset.list(preset) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        try requireFile(file)
        let request = PassRequest(
            reportedDurationUs: reportedUs,
            thumbnails: ThumbnailRequest(count: count, poster: true, storyboard: StoryboardOptions()),
            thumbnailDirectory: out,
            presets: try RenditionPreset.list(preset),
            renditionDirectory: out + "/renditions",
            encoder: EncoderSettings(preset: x264Preset, crf: crf))
        let report: PassReport
        do {
            report = try await MediaEngine.process(file, request, progress: json ? nil : ProgressBar("pipeline").callback)
        } catch {
            throw mediaExit(error, path: file, json: json)
        }
        if json {
            try Output.json(MediaDocument(body: report, verification: report.verification))
        } else {
            let v = report.verification
            Output.line("\(SafeText.escape(file)): \(v.verdict.rawValue) — measured \(seconds(v.measuredDurationUs)), \(v.frames) frames")
            if let p = report.thumbnails.poster { Output.line("\(p.path)  poster at \(seconds(p.timeUs))  \(p.width)x\(p.height)") }
            for t in report.thumbnails.thumbnails { Output.line("\(t.path)  \(seconds(t.timeUs))  \(t.width)x\(t.height)") }
            if let s = report.thumbnails.storyboard { Output.line("\(s.sprite)  \(s.tiles) tiles of \(s.tileWidth)x\(s.tileHeight)") }
            for r in report.renditions { Output.line("\(r.path)  \(r.width)x\(r.height)  \(r.bytes) bytes  \(seconds(r.durationUs))") }
            for s in report.skipped { Output.line("skipped \(s.preset): \(s.reason)") }
            Output.line(String(format: "%.2f s", report.seconds))
        }
        let verdict = report.verification.verdict
        if verdict == .undecodable || verdict == .mismatch {
            throw ReelExit(code: ReelExit.attention, message: "error: \(SafeText.escape(file)) is \(verdict.rawValue): \(SafeText.escape(report.verification.reason ?? "", limit: 1024))")
        }
    }
}
