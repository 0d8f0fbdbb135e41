import ArgumentParser
import Foundation
import Media

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Decode every frame and compare the measured duration with a reported one.",
        discussion: "Exit 0 for match or unreported, 1 for mismatch or undecodable (including files that are not media).")

    @Argument(help: "Video file.") var file: String
    @Option(name: .customLong("reported-us"), help: "Reported duration in microseconds (TopView's videoDuration).")
    var reportedUs: Int64?
    @Option(name: .customLong("tolerance-ms"), help: "Minimum tolerance in milliseconds (default 100; at least 2 frames).")
    var toleranceMs: Int64 = 100
    @OptionGroup var output: JSONFlag

    func validate() throws {
        if let reportedUs, reportedUs < 0 { throw ValidationError("--reported-us must be zero or more") }
        if toleranceMs < 0 { throw ValidationError("--tolerance-ms must be zero or more") }
    }

    func run() async throws {
        try requireFile(file)
        let result: Verification
        do {
            result = try await MediaEngine.verify(file, reportedUs: reportedUs, tolerance: DurationTolerance(minimumUs: toleranceMs * 1000),
                                                  progress: output.json ? nil : ProgressBar("verify").callback)
        } catch {
            throw mediaExit(error)
        }
        if output.json {
            try Output.json(result)
        } else {
            var text = "\(file): \(result.verdict.rawValue) — measured \(seconds(result.measuredDurationUs)), reported \(seconds(result.reportedDurationUs))"
            if let d = result.deltaUs { text += ", delta \(d) µs (tolerance \(result.toleranceUs) µs)" }
            text += ", \(result.frames) frames, \(result.decodeErrors) decode errors"
            if let reason = result.reason { text += "\n  \(reason)" }
            Output.line(text)
        }
        if result.verdict == .mismatch || result.verdict == .undecodable {
            throw ReelExit(code: ReelExit.attention, message: "")
        }
    }
}
