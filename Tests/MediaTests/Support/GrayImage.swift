import Foundation

/// An 8-bit luma picture decoded by the ffmpeg CLI (the oracle), for checks on pixels.
struct GrayImage: Sendable {
    let width: Int
    let height: Int
    let pixels: [UInt8]

    /// Decodes an image file (JPEG, WebP) with ffmpeg at its own size.
    static func decode(_ path: String) async throws -> GrayImage {
        let probe = try await FFprobe.of(path)
        guard let w = probe.video?.width, let h = probe.video?.height else {
            throw CommandLineTool.Failure(command: ["ffprobe", path], status: 0, stderr: "no picture size")
        }
        let data = try await CommandLineTool.run("ffmpeg", CommandLineTool.quiet + [
            "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-",
        ])
        let image = GrayImage(width: w, height: h, pixels: [UInt8](data))
        guard image.isComplete else {
            throw CommandLineTool.Failure(command: ["ffmpeg", path], status: 0, stderr: "\(data.count) bytes, expected \(w * h)")
        }
        return image
    }

    /// The frame ffmpeg shows at `seconds` from the start (accurate seek, rotation applied), scaled to
    /// `width`×`height`, or passed through `filter` (which must produce that size).
    static func frame(of video: String, at seconds: Double, width: Int, height: Int, filter: String? = nil) async throws -> GrayImage {
        let data = try await CommandLineTool.run("ffmpeg", CommandLineTool.quiet + [
            "-ss", String(format: "%.6f", seconds), "-i", video, "-frames:v", "1",
            "-vf", filter ?? "scale=\(width):\(height)", "-f", "rawvideo", "-pix_fmt", "gray", "-",
        ])
        let image = GrayImage(width: width, height: height, pixels: [UInt8](data))
        guard image.isComplete else {
            throw CommandLineTool.Failure(command: ["ffmpeg", video, filter ?? ""], status: 0,
                                          stderr: "\(data.count) bytes, expected \(width * height)")
        }
        return image
    }

    var isComplete: Bool { pixels.count == width * height && width > 0 && height > 0 }

    /// Mean luma of a rectangle (the whole picture by default).
    func mean(x: Int = 0, y: Int = 0, width w: Int? = nil, height h: Int? = nil) -> Double {
        let w = w ?? width, h = h ?? height
        var sum = 0, n = 0
        for row in y..<min(height, y + h) {
            for col in x..<min(width, x + w) {
                sum += Int(pixels[row * width + col])
                n += 1
            }
        }
        return n == 0 ? 0 : Double(sum) / Double(n)
    }

    /// Pearson correlation of two same-sized pictures: 1 for the same picture whatever the luma range
    /// (full or limited), near 0 for unrelated ones.
    func correlation(with other: GrayImage) -> Double {
        precondition(width == other.width && height == other.height, "sizes differ")
        let n = Double(pixels.count)
        let ma = pixels.reduce(0.0) { $0 + Double($1) } / n
        let mb = other.pixels.reduce(0.0) { $0 + Double($1) } / n
        var cov = 0.0, va = 0.0, vb = 0.0
        for i in pixels.indices {
            let a = Double(pixels[i]) - ma, b = Double(other.pixels[i]) - mb
            cov += a * b; va += a * a; vb += b * b
        }
        return va == 0 || vb == 0 ? 0 : cov / (va * vb).squareRoot()
    }
}

/// The top-level box types of an ISO-BMFF (MP4) file, in file order.
func topLevelBoxes(_ path: String) throws -> [String] {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    let size = try handle.seekToEnd()
    var offset: UInt64 = 0
    var types: [String] = []
    while offset + 8 <= size {
        try handle.seek(toOffset: offset)
        guard let header = try handle.read(upToCount: 16), header.count >= 8 else { break }
        let bytes = [UInt8](header)
        var length = bytes[0..<4].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        types.append(String(decoding: bytes[4..<8], as: UTF8.self))
        if length == 1, bytes.count >= 16 {
            length = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        } else if length == 0 {
            break // runs to the end of the file
        }
        guard length >= 8 else { break }
        offset += length
    }
    return types
}
