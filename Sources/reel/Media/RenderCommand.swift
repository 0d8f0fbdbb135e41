import ArgumentParser
import Foundation
import Media
import ReelBasics

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Transcode H.264/AAC MP4 renditions (one decode feeds every preset).",
        discussion: """
        Presets: <short side>p keeps the aspect (720p); <w>x<h>-<short side>p-<pad|crop> changes it (1x1-720p-crop, \
        16x9-480p-pad). A preset larger than the source is skipped, never upscaled.

        EXAMPLES:
          reel media render clip.mp4 --out out
          reel media render clip.mp4 --out out --preset 1080p,16x9-480p-pad --crf 20
          reel media render clip.mp4 --out out --x264-preset slow --json
        """)

    @Argument(help: "Video file.") var file: String
    @Option(name: .long, help: "Output directory (created if missing).") var out: String
    @Option(name: .long, help: "Comma-separated presets.") var preset: String = "720p,480p"
    @Option(name: .long, help: "libx264 CRF \(Settings.crf.help(default: "23")).", transform: Settings.crf.argument) var crf: Int = 23
    @Option(name: .customLong("x264-preset"), help: "libx264 preset.") var x264Preset: String = "veryfast"
    @Flag(name: .long, help: "Print one JSON object: {\"path\", \"renditions\", \"skipped\", \"verification\", \"seconds\"}.")
    var json = false

    static let x264Presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"]

    func validate() throws {
        if !Self.x264Presets.contains(x264Preset) { throw ValidationError("--x264-preset must be one of \(Self.x264Presets.joined(separator: ", "))") }
        do { _ = try RenditionPreset.list(preset) } catch { throw ValidationError(error.description) }
    }

    struct Report: Encodable {
        var path: String
        var renditions: [RenditionResult]
        var skipped: [SkippedRendition]
        var verification: Verification
        var seconds: Double
    }

    func run() async throws {
        try requireFile(file)
        let presets = try RenditionPreset.list(preset)
        let report: PassReport
        do {
            report = try await MediaEngine.process(file, PassRequest(presets: presets, renditionDirectory: out,
                                                                     encoder: EncoderSettings(preset: x264Preset, crf: crf)),
                                                   progress: json ? nil : ProgressBar("render").callback)
        } catch {
            throw mediaExit(error, path: file, json: json)
        }
        if json {
            try Output.json(MediaDocument(body: Report(path: file, renditions: report.renditions, skipped: report.skipped,
                                                       verification: report.verification, seconds: report.seconds),
                                          verification: report.verification))
        } else {
            for r in report.renditions { Output.line("\(r.path)  \(r.width)x\(r.height)  \(r.bytes) bytes  \(seconds(r.durationUs))") }
            for s in report.skipped { Output.line("skipped \(s.preset): \(s.reason)") }
            Output.line(String(format: "%.2f s", report.seconds))
        }
        if report.verification.verdict == .undecodable {
            throw ReelExit(code: ReelExit.attention, message: "error: \(SafeText.escape(file)) is undecodable: \(SafeText.escape(report.verification.reason ?? "", limit: 1024))")
        }
    }
}
