import ArgumentParser
import Foundation
import Media
import ReelBasics

struct ThumbsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbs",
        abstract: "Extract stills: frames at exact times, evenly spaced thumbnails, a representative poster, a storyboard.",
        discussion: """
        With none of --at, --count, --poster, --storyboard: a poster and 5 evenly spaced thumbnails.

        EXAMPLES:
          reel media thumbs clip.mp4 --out stills
          reel media thumbs clip.mp4 --out stills --at 1.5,10 --format webp
          reel media thumbs clip.mp4 --out stills --count 8 --storyboard --json
        """)

    @Argument(help: "Video file.") var file: String
    @Option(name: .long, help: "Output directory (created if missing).") var out: String
    @Option(name: .long, help: "Comma-separated times in decimal seconds on the file's timeline (its start is 0, as in ffprobe), e.g. 1.5,10 (each \(Settings.stillTime.rangeText)); a time past the end gives the last frame.") var at: String?
    @Option(name: .long, help: "Number of evenly spaced thumbnails \(Settings.thumbnailCount.help()).",
            transform: Settings.thumbnailCount.argument) var count: Int?
    @Flag(name: .long, help: "Pick one representative poster (not black, not uniform).") var poster = false
    @Flag(name: .long, help: "Write a sprite sheet and a WebVTT storyboard.") var storyboard = false
    @Option(name: .long, help: "Image format: jpeg or webp.") var format: String = "jpeg"
    @Option(name: .long, help: "Longest side of a thumbnail in pixels \(Settings.thumbnailSize.help(default: "640")).",
            transform: Settings.thumbnailSize.argument) var size: Int = 640
    @Flag(name: .long, help: "Print the stills as one JSON object ({\"thumbnails\", \"poster\", \"storyboard\"}; each still with its path, timeUs, size, requestedUs for --at, and blank: true when the picture is black or flat).")
    var json = false

    func validate() throws {
        if ImageFormat(rawValue: format) == nil { throw ValidationError("--format must be jpeg or webp") }
        _ = try times()
    }

    func times() throws -> [Double] {
        guard let at else { return [] }
        return try at.split(separator: ",", maxSplits: .max, omittingEmptySubsequences: false).map { part in
            do throws(SettingError) { return try Settings.stillTime.parse(part) } catch {
                throw ValidationError("--at takes comma-separated times like 1.5,10, each \(error.description)")
            }
        }
    }

    func run() async throws {
        guard let imageFormat = ImageFormat(rawValue: format) else { throw ValidationError("--format must be jpeg or webp") }
        try requireFile(file)
        var request = ThumbnailRequest(times: try times(), count: count ?? 0, poster: poster,
                                       storyboard: storyboard ? StoryboardOptions() : nil,
                                       format: imageFormat, thumbnailLongSide: size)
        if request.isEmpty {
            request.count = 5
            request.poster = true
        }
        let result: ThumbnailSet
        do {
            result = try await MediaEngine.thumbnails(file, request: request, directory: out)
        } catch {
            throw mediaExit(error, path: file, json: json)
        }
        if json {
            try Output.json(result)
        } else {
            for t in result.thumbnails {
                Output.line("\(t.path)  \(seconds(t.timeUs))  \(t.width)x\(t.height)" + (t.blank ? "  (blank: black or flat)" : ""))
            }
            if let p = result.poster { Output.line("\(p.path)  poster at \(seconds(p.timeUs))  \(p.width)x\(p.height)") }
            if let s = result.storyboard { Output.line("\(s.sprite)  \(s.tiles) tiles of \(s.tileWidth)x\(s.tileHeight)\n\(s.vtt)") }
        }
    }
}
