import Foundation
import Testing
@testable import Media

/// Stills, posters and storyboards, by seeking (`MediaEngine.thumbnails`) and from a full pass
/// (`MediaEngine.process`); images are checked by decoding them with the ffmpeg CLI.
@Suite struct ThumbnailTests {
    /// The two ways to ask for stills.
    enum Route: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case seek, pass
        var testDescription: String { rawValue }

        func run(_ fixture: Fixture, _ request: ThumbnailRequest) async throws -> (ThumbnailSet, String) {
            let path = try await fixture.path
            let dir = try Fixtures.scratchDirectory("thumbs-\(fixture.rawValue)-\(rawValue)")
            switch self {
            case .seek:
                return (try await MediaEngine.thumbnails(path, request: request, directory: dir), dir)
            case .pass:
                let report = try await MediaEngine.process(path, PassRequest(thumbnails: request, thumbnailDirectory: dir))
                return (report.thumbnails, dir)
            }
        }
    }

    @Test("stills at exact times: the frame shown at that time, at the reported size", arguments: Route.allCases)
    func atTimes(_ route: Route) async throws {
        let (set, dir) = try await route.run(.wide, ThumbnailRequest(times: [2.5, 1.0], thumbnailLongSide: 320))
        try #require(set.thumbnails.count == 2)
        let targets: [Int64] = [2_500_000, 1_000_000]
        for (still, target) in zip(set.thumbnails, targets) {
            #expect(still.path == dir + "/thumbs/at-\(target / 1000)ms.jpg")
            #expect(abs(still.timeUs - target) <= 33_334, "asked \(target) µs, got \(still.timeUs) µs")
            #expect(still.width == 320 && still.height == 180)
            try await expectImage(still, codec: "mjpeg")
        }
        // The picture is the one ffmpeg shows at that time, not merely one labelled with it.
        let source = try await Fixture.wide.path
        let mine = try await GrayImage.decode(set.thumbnails[1].path)
        let same = try await GrayImage.frame(of: source, at: 1.0, width: 320, height: 180)
        let other = try await GrayImage.frame(of: source, at: 2.5, width: 320, height: 180)
        let right = mine.correlation(with: same), wrong = mine.correlation(with: other)
        // The same frame correlates above 0.999 through JPEG; the next frame already falls near 0.98.
        #expect(right > 0.99, "correlation with ffmpeg's frame at 1 s: \(right)")
        #expect(right > wrong + 0.03, "correlation at 1 s \(right), at 2.5 s \(wrong)")
    }

    @Test("times count from the start of the video when its timestamps start at 2 s", arguments: Route.allCases)
    func offsetTimes(_ route: Route) async throws {
        let (set, _) = try await route.run(.offset, ThumbnailRequest(times: [1.0], thumbnailLongSide: 320))
        let still = try #require(set.thumbnails.first)
        #expect(abs(still.timeUs - 1_000_000) <= 33_334, "got \(still.timeUs) µs")
        // ffmpeg's input -ss counts from the file's start too.
        let mine = try await GrayImage.decode(still.path)
        let theirs = try await GrayImage.frame(of: try await Fixture.offset.path, at: 1.0, width: 320, height: 180)
        #expect(mine.correlation(with: theirs) > 0.97)
    }

    @Test("non-square pixels: stills are shown at the square-pixel aspect", arguments: Route.allCases)
    func anamorphic(_ route: Route) async throws {
        let (set, _) = try await route.run(.anamorphic, ThumbnailRequest(times: [1.0], thumbnailLongSide: 320))
        let still = try #require(set.thumbnails.first)
        #expect(still.width == 320 && still.height == 180)
        try await expectImage(still, codec: "mjpeg")
        let mine = try await GrayImage.decode(still.path)
        let theirs = try await GrayImage.frame(of: try await Fixture.anamorphic.path, at: 1.0, width: 320, height: 180)
        #expect(mine.correlation(with: theirs) > 0.97)
    }

    @Test("a time past the end gives the last frame", arguments: Route.allCases)
    func pastTheEnd(_ route: Route) async throws {
        let (set, _) = try await route.run(.wide, ThumbnailRequest(times: [60.0], thumbnailLongSide: 320))
        let still = try #require(set.thumbnails.first)
        #expect(still.timeUs >= 3_900_000 && still.timeUs < 4_000_000, "got \(still.timeUs) µs")
        try await expectImage(still, codec: "mjpeg")
    }

    @Test("N evenly spaced stills at the middle of N equal slices", arguments: Route.allCases)
    func evenlySpaced(_ route: Route) async throws {
        let (set, dir) = try await route.run(.wide, ThumbnailRequest(count: 4, thumbnailLongSide: 320))
        let duration = try #require(try await FFprobe.of(try await Fixture.wide.path).video?.durationUs)
        try #require(set.thumbnails.count == 4)
        for (i, still) in set.thumbnails.enumerated() {
            let target = duration * Int64(2 * i + 1) / 8
            #expect(still.path == dir + String(format: "/thumbs/%02d.jpg", i + 1))
            #expect(abs(still.timeUs - target) <= 33_334, "still \(i): asked \(target) µs, got \(still.timeUs) µs")
            try await expectImage(still, codec: "mjpeg")
        }
        #expect(set.poster == nil && set.storyboard == nil)
    }

    @Test("stills at requested times come first, then the evenly spaced ones", arguments: Route.allCases)
    func order(_ route: Route) async throws {
        let (set, dir) = try await route.run(.wide, ThumbnailRequest(times: [3.0], count: 2, thumbnailLongSide: 320))
        #expect(set.thumbnails.map(\.path) == [dir + "/thumbs/at-3000ms.jpg", dir + "/thumbs/01.jpg", dir + "/thumbs/02.jpg"])
        #expect(set.thumbnails.map { ($0.timeUs + 500_000) / 1_000_000 } == [3, 1, 3])
    }

    @Test("the poster of a clip that starts black is a later, non-black frame", arguments: Route.allCases)
    func posterSkipsBlack(_ route: Route) async throws {
        let source = try await Fixture.blackStart.path
        // The fixture's first second really is black (so this test can fail).
        #expect(try await GrayImage.frame(of: source, at: 0.5, width: 320, height: 180).mean() < 20)

        let (set, dir) = try await route.run(.blackStart, ThumbnailRequest(poster: true))
        let poster = try #require(set.poster)
        #expect(poster.path == dir + "/poster.jpg")
        #expect(poster.timeUs >= 1_000_000, "poster taken at \(poster.timeUs) µs")
        #expect(poster.width == 640 && poster.height == 360, "never upscaled past the 640×360 source")
        try await expectImage(poster, codec: "mjpeg")
        let luma = try await GrayImage.decode(poster.path).mean()
        #expect(luma > 40, "poster mean luma \(luma)")
    }

    @Test("storyboard: a sprite of columns × rows tiles and a WebVTT whose cues point inside it", arguments: Route.allCases)
    func storyboard(_ route: Route) async throws {
        let options = StoryboardOptions(intervalSeconds: 0.5, columns: 4, tileLongSide: 160)
        let (set, dir) = try await route.run(.wide, ThumbnailRequest(storyboard: options))
        let board = try #require(set.storyboard)
        #expect(board.sprite == dir + "/storyboard/sprite.jpg")
        #expect(board.tiles == 8 && board.columns == 4)
        #expect(board.tileWidth == 160 && board.tileHeight == 90)
        #expect(board.intervalUs == 500_000)
        let rows = (board.tiles + board.columns - 1) / board.columns
        let sprite = try await GrayImage.decode(board.sprite)
        #expect(sprite.width == board.columns * board.tileWidth)
        #expect(sprite.height == rows * board.tileHeight)

        let cues = try parseVTT(String(contentsOfFile: board.vtt, encoding: .utf8))
        #expect(cues.count == board.tiles)
        var previousEnd = 0.0
        for (i, cue) in cues.enumerated() {
            #expect(cue.file == "sprite.jpg")
            #expect(cue.start >= previousEnd - 0.0005 && cue.end > cue.start, "cue \(i) times")
            #expect(abs(cue.start - Double(i) * 0.5) < 0.001)
            previousEnd = cue.end
            #expect(cue.x >= 0 && cue.y >= 0 && cue.x + cue.w <= sprite.width && cue.y + cue.h <= sprite.height, "cue \(i) rectangle")
            #expect(cue.w == board.tileWidth && cue.h == board.tileHeight)
            // Every tile holds a picture of the test pattern, not the black canvas.
            let luma = sprite.mean(x: cue.x, y: cue.y, width: cue.w, height: cue.h)
            #expect(luma > 40, "tile \(i) mean luma \(luma)")
        }
        #expect(previousEnd <= 4.0005)
    }

    @Test("a rotated source gives upright stills, oriented as ffmpeg shows it", arguments: Route.allCases)
    func rotatedIsUpright(_ route: Route) async throws {
        let (set, _) = try await route.run(.rotated, ThumbnailRequest(
            times: [1.0], poster: true, storyboard: StoryboardOptions(intervalSeconds: 1, columns: 2, tileLongSide: 160),
            thumbnailLongSide: 320, posterLongSide: 320))
        let still = try #require(set.thumbnails.first)
        #expect(still.width == 180 && still.height == 320)
        try await expectImage(still, codec: "mjpeg")
        let poster = try #require(set.poster)
        #expect(poster.width < poster.height)
        try await expectImage(poster, codec: "mjpeg")

        // The white block of the coded top-left quadrant is shown top-right after a quarter turn clockwise.
        let image = try await GrayImage.decode(still.path)
        let (w, h) = (image.width / 2, image.height / 2)
        #expect(image.mean(x: w, y: 0, width: w, height: h) > 200, "top-right")
        for (x, y, name) in [(0, 0, "top-left"), (0, h, "bottom-left"), (w, h, "bottom-right")] {
            #expect(image.mean(x: x, y: y, width: w, height: h) < 80, "\(name)")
        }
        let oracle = try await GrayImage.frame(of: try await Fixture.rotated.path, at: 1.0, width: 180, height: 320)
        #expect(image.correlation(with: oracle) > 0.95)

        let board = try #require(set.storyboard)
        #expect(board.tileWidth == 90 && board.tileHeight == 160)
        let sprite = try await GrayImage.decode(board.sprite)
        #expect(sprite.width == 2 * 90 && sprite.height == 2 * 160)
        // The first tile is upright too: its white block is top-right.
        #expect(sprite.mean(x: 45, y: 0, width: 45, height: 80) > 200)
        #expect(sprite.mean(x: 0, y: 80, width: 45, height: 80) < 80)
    }

    @Test("WebP output when asked", arguments: Route.allCases)
    func webp(_ route: Route) async throws {
        let request = ThumbnailRequest(times: [1.0], poster: true, storyboard: StoryboardOptions(maxTiles: 4, columns: 2),
                                       format: .webp, thumbnailLongSide: 320, posterLongSide: 480)
        let (set, dir) = try await route.run(.wide, request)
        let still = try #require(set.thumbnails.first)
        #expect(still.path == dir + "/thumbs/at-1000ms.webp")
        try await expectImage(still, codec: "webp")
        let poster = try #require(set.poster)
        #expect(poster.path.hasSuffix("/poster.webp"))
        #expect(poster.width == 480 && poster.height == 270)
        try await expectImage(poster, codec: "webp")
        let board = try #require(set.storyboard)
        #expect(board.sprite.hasSuffix("/sprite.webp"))
        let sprite = try #require(try await FFprobe.of(board.sprite).video)
        #expect(sprite.codec_name == "webp")
        #expect(sprite.width == 2 * board.tileWidth && sprite.height == 2 * board.tileHeight)
        #expect(try String(contentsOfFile: board.vtt, encoding: .utf8).contains("sprite.webp#xywh="))
    }
}
