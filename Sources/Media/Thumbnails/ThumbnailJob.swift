import CFFmpeg
import Foundation

/// Builds the frame grabbers for a `ThumbnailRequest` and collects what they wrote.
/// Output layout in `directory`: `thumbs/at-<ms>.jpg`, `thumbs/NN.jpg`, `poster.jpg`,
/// `storyboard/sprite.jpg` and `storyboard/storyboard.vtt`.
final class ThumbnailJob {
    let request: ThumbnailRequest
    let directory: String
    private let geometry: DisplayGeometry
    private let durationUs: Int64
    private(set) var grabbers: [TimedFrameGrabber] = []
    private var stills: [Int: StillImage] = [:]
    private var written: Set<String> = []
    private var poster: PosterPicker?
    private var storyboard: StoryboardBuilder?

    init(request: ThumbnailRequest, directory: String, geometry: DisplayGeometry, durationUs: Int64) throws(MediaError) {
        self.request = request
        self.directory = directory
        self.geometry = geometry
        self.durationUs = max(durationUs, 1)
        try makeDirectory(directory)
        try buildGrabbers()
    }

    /// Times (µs) of the fixed thumbnails: requested ones, then evenly spaced ones.
    var stillTimes: [Int64] {
        let at = request.times.map { Int64(($0 * 1_000_000).rounded()) }
        let even = (0..<max(0, request.count)).map { i in durationUs * Int64(2 * i + 1) / Int64(2 * request.count) }
        return at + even
    }

    private func buildGrabbers() throws(MediaError) {
        let times = stillTimes
        if !times.isEmpty {
            try makeDirectory(directory + "/thumbs")
            let renderer = try PictureRenderer(geometry: geometry, longSide: request.thumbnailLongSide, format: request.format)
            let atCount = request.times.count
            let order = times.indices.sorted { times[$0] < times[$1] }
            let ext = request.format.fileExtension
            grabbers.append(try TimedFrameGrabber(targets: order.map { times[$0] }) { [unowned self] frame, target, timeUs, durationUs throws(MediaError) in
                let original = order[target]
                let requested = times[original]
                // A time past the last frame is clamped to it: the file is named after the frame's own time.
                let clamped = timeUs + max(durationUs, 1) <= requested
                let name = original < atCount
                    ? "thumbs/at-\((clamped ? max(timeUs, 0) : requested) / 1000)ms.\(ext)"
                    : String(format: "thumbs/%02d.\(ext)", original - atCount + 1)
                let path = self.directory + "/" + name
                // The same still asked for twice (the same time, or two times past the end) is written once.
                guard !self.written.contains(path) else { return }
                try ImageEncoder.write(try renderer.render(frame), format: self.request.format, to: path)
                self.written.insert(path)
                self.stills[original] = StillImage(path: path, timeUs: timeUs, width: renderer.width, height: renderer.height,
                                                   requestedUs: original < atCount ? requested : nil,
                                                   blank: PictureOps.isBlank(frame))
            })
        }
        if request.poster {
            let picker = try PosterPicker(geometry: geometry, durationUs: durationUs, request: request,
                                          path: directory + "/poster.\(request.format.fileExtension)")
            poster = picker
            grabbers.append(picker.grabber)
        }
        if let options = request.storyboard {
            try makeDirectory(directory + "/storyboard")
            let builder = try StoryboardBuilder(geometry: geometry, durationUs: durationUs, options: options,
                                                format: request.format, directory: directory + "/storyboard")
            storyboard = builder
            grabbers.append(builder.grabber)
        }
    }

    /// Removes the stills written so far (a sampling that is abandoned for a decode from the start).
    func discard() {
        for path in written { unlink(path) }
        written.removeAll()
        stills.removeAll()
    }

    /// Finishes the poster and storyboard and returns every output.
    func result() throws(MediaError) -> ThumbnailSet {
        ThumbnailSet(
            thumbnails: stills.keys.sorted().compactMap { stills[$0] },
            poster: try poster?.write(),
            storyboard: try storyboard?.write()
        )
    }
}

func makeDirectory(_ path: String) throws(MediaError) {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw MediaError.writing("creating \(path)", error)
    }
}
