import ArgumentParser
import Foundation
import Media
import ReelBasics

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Read a video's headers (no decode): duration, streams, size, rotation.",
        discussion: """
        Exit codes: 0 every file probed; 1 a file is not media; 2 a missing or non-regular file.

        EXAMPLES:
          reel media probe clip.mp4
          reel media probe a.mp4 b.mov --json
        """)

    @Argument(help: "Video files.") var files: [String]
    @Flag(name: .long, help: "Print each file's probe as JSON ({\"path\", \"formatName\", \"durationUs\", \"streams\", …}, or {\"path\", \"error\": {\"code\", \"message\"}}); an array for several files.")
    var json = false

    /// One entry of the output: a probe, or why the file could not be probed.
    struct Entry: Encodable {
        var path: String
        var probe: ProbeResult?
        var error: MediaError?

        func encode(to encoder: any Encoder) throws {
            if let probe { try probe.encode(to: encoder); return }
            if let error { try MediaFailure(path: path, error).encode(to: encoder) }
        }
    }

    func run() async throws {
        for file in files { try requireFile(file) }
        var entries: [Entry] = []
        for file in files {
            do {
                entries.append(Entry(path: file, probe: try MediaEngine.probeNow(file)))
            } catch {
                entries.append(Entry(path: file, error: error))
            }
        }
        if json {
            if entries.count == 1 { try Output.json(entries[0]) } else { try Output.json(entries) }
        } else {
            for entry in entries { Output.line(Self.describe(entry)) }
        }
        if entries.contains(where: { $0.probe == nil }) { throw ReelExit(code: ReelExit.attention, message: "") }
    }

    static func describe(_ entry: Entry) -> String {
        guard let p = entry.probe else { return "\(SafeText.escape(entry.path)): \(SafeText.escape(entry.error?.description ?? "error", limit: 1024))" }
        var lines = ["\(SafeText.escape(p.path)): \(SafeText.escape(p.formatName)), \(seconds(p.durationUs)) (from \(p.durationEstimation)), start \(seconds(p.startTimeUs))"]
        for s in p.streams {
            switch s.type {
            case "video":
                let fps = s.avgFrameRate.map { String(format: "%.3f fps", $0) } ?? "? fps"
                lines.append("  #\(s.index) video \(SafeText.escape(s.codec)) \(s.width ?? 0)x\(s.height ?? 0) shown \(s.displayWidth ?? 0)x\(s.displayHeight ?? 0) rotation \(s.rotation)° \(fps) \(seconds(s.durationUs))")
            case "audio":
                lines.append("  #\(s.index) audio \(SafeText.escape(s.codec)) \(s.sampleRate ?? 0) Hz \(s.channels ?? 0) ch \(seconds(s.durationUs))")
            default:
                lines.append("  #\(s.index) \(SafeText.escape(s.type)) \(SafeText.escape(s.codec))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
