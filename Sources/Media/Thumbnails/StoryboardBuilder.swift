import CFFmpeg
import Foundation

/// Builds one sprite sheet of tiles and a WebVTT file whose cues point at `sprite.jpg#xywh=x,y,w,h`.
final class StoryboardBuilder {
    private(set) var grabber: TimedFrameGrabber!
    private let renderer: PictureRenderer
    private let canvas: Frame
    private let options: StoryboardOptions
    private let format: ImageFormat
    private let directory: String
    private let intervalUs: Int64
    private let tiles: Int
    private let columns: Int
    private let durationUs: Int64
    private var filled = 0

    init(geometry: DisplayGeometry, durationUs: Int64, options: StoryboardOptions, format: ImageFormat, directory: String) throws(MediaError) {
        self.options = options
        self.format = format
        self.directory = directory
        self.durationUs = durationUs
        let requested = options.intervalSeconds.map { Int64($0 * 1_000_000) } ?? 0
        let minimum = (durationUs + Int64(max(1, options.maxTiles)) - 1) / Int64(max(1, options.maxTiles))
        intervalUs = max(requested, minimum, 100_000)
        tiles = max(1, Int((durationUs + intervalUs - 1) / intervalUs))
        columns = max(1, min(options.columns, tiles))
        renderer = try PictureRenderer(geometry: geometry, longSide: options.tileLongSide, format: format)
        let rows = (tiles + columns - 1) / columns
        canvas = try Frame(width: Int32(columns * renderer.width), height: Int32(rows * renderer.height), format: format.pixelFormat)
        PictureOps.fillBlack(canvas, fullRange: format == .jpeg)
        let interval = intervalUs
        grabber = try TimedFrameGrabber(targets: (0..<tiles).map { Int64($0) * interval }) { [unowned self] frame, index, _, _ throws(MediaError) in
            let tile = try self.renderer.render(frame)
            PictureOps.blit(tile, into: self.canvas, x: (index % self.columns) * self.renderer.width,
                            y: (index / self.columns) * self.renderer.height)
            self.filled += 1
        }
    }

    func write() throws(MediaError) -> StoryboardResult {
        let spriteName = "sprite.\(format.fileExtension)"
        let sprite = directory + "/" + spriteName
        canvas.pointer.pointee.color_range = format == .jpeg ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        try ImageEncoder.write(canvas, format: format, to: sprite)
        var vtt = "WEBVTT\n"
        let w = renderer.width, h = renderer.height
        for i in 0..<tiles {
            let start = Int64(i) * intervalUs
            let end = min(durationUs, start + intervalUs)
            vtt += "\n\(Self.timestamp(start)) --> \(Self.timestamp(max(end, start + 1_000)))\n"
            vtt += "\(spriteName)#xywh=\((i % columns) * w),\((i / columns) * h),\(w),\(h)\n"
        }
        let vttPath = directory + "/storyboard.vtt"
        try AtomicFile.write(Data(vtt.utf8), to: vttPath)
        return StoryboardResult(sprite: sprite, vtt: vttPath, tiles: tiles, columns: columns,
                                tileWidth: w, tileHeight: h, intervalUs: intervalUs)
    }

    /// WebVTT timestamp `HH:MM:SS.mmm`.
    static func timestamp(_ us: Int64) -> String {
        let ms = us / 1000
        return String(format: "%02lld:%02lld:%02lld.%03lld", ms / 3_600_000, (ms / 60_000) % 60, (ms / 1000) % 60, ms % 1000)
    }
}
