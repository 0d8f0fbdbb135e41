import ArgumentParser
import Foundation
import Media
import ReelBasics

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Decode every frame and compare the measured duration with a reported one.",
        discussion: """
        Exit 0 for match or unreported, 1 for mismatch or undecodable (including files that are not media).

        EXAMPLES:
          reel media verify clip.mp4
          reel media verify clip.mp4 --reported-us 8000000 --tolerance-ms 200
          reel media verify clip.mp4 --json
        """)

    @Argument(help: "Video file.") var file: String
    @Option(name: .customLong("reported-us"), help: "Reported duration in microseconds (TopView's videoDuration) \(Settings.reportedUs.help()).",
            transform: Settings.reportedUs.argument)
    var reportedUs: Int64?
    @Option(name: .customLong("tolerance-ms"), help: "Minimum tolerance in milliseconds; at least 2 frames \(Settings.toleranceMs.help(default: "100")).",
            transform: Settings.toleranceMs.argument)
    var toleranceMs: Int64 = 100
    @Flag(name: .long, help: "Print the verification as one JSON object ({\"path\", \"verdict\", \"measuredDurationUs\", \"reportedDurationUs\", \"deltaUs\", \"frames\", \"decodeErrors\", \"reason\", \"avDesyncUs\", \"avDesync\", …}; an undecodable file also has \"error\": {\"code\", \"message\"}).")
    var json = false

    func run() async throws {
        try requireFile(file)
        let result: Verification
        do {
            result = try await MediaEngine.verify(file, reportedUs: reportedUs, tolerance: DurationTolerance(minimumUs: toleranceMs * 1000),
                                                  progress: json ? nil : ProgressBar("verify").callback)
        } catch {
            throw mediaExit(error, path: file, json: json)
        }
        if json {
            try Output.json(MediaDocument(body: result, verification: result))
        } else {
            var text = "\(SafeText.escape(file)): \(result.verdict.rawValue) — measured \(seconds(result.measuredDurationUs)), reported \(seconds(result.reportedDurationUs))"
            if let d = result.deltaUs { text += ", delta \(d) µs (tolerance \(result.toleranceUs) µs)" }
            text += ", \(result.frames) frames, \(result.decodeErrors) decode errors"
            if let reason = result.reason { text += "\n  \(SafeText.escape(reason, limit: 1024))" }
            Output.line(text)
        }
        if result.verdict == .mismatch || result.verdict == .undecodable {
            throw ReelExit(code: ReelExit.attention, message: "")
        }
    }
}

/// A media command's JSON document (`body`: a verification or a pass report) with, for an undecodable file, the same
/// `error` object as every media command's failure (the code that kept the file from being taken as a video —
/// `notMedia`, `noVideoStream`, … —, else `notMedia` when nothing could be decoded, `undecodable` otherwise).
struct MediaDocument<Body: Encodable>: Encodable {
    let body: Body
    let verification: Verification

    private enum Key: String, CodingKey { case error }

    func encode(to encoder: any Encoder) throws {
        try body.encode(to: encoder)
        guard verification.verdict == .undecodable else { return }
        var container = encoder.container(keyedBy: Key.self)
        let code = verification.failureCode?.rawValue ?? (verification.frames == 0 ? "notMedia" : "undecodable")
        try container.encode(MediaFailure.Detail(code: code,
                                                 message: verification.reason ?? "the video does not decode"), forKey: .error)
    }
}
