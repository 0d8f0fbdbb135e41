import Foundation
import CFFmpeg

/// Small-picture operations for thumbnails (a few hundred pixels: plain loops are fine).
enum PictureOps {
    /// Fills a planar YUV 4:2:0 frame with black.
    static func fillBlack(_ frame: Frame, fullRange: Bool) {
        let f = frame.pointer.pointee
        let heights = [Int(f.height), Int(f.height + 1) / 2, Int(f.height + 1) / 2]
        let values: [UInt8] = [fullRange ? 0 : 16, 128, 128]
        let lines = strides(frame.pointer)
        withUnsafeBytes(of: f.data) { raw in
            let data = raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
            for p in 0..<3 {
                guard let base = data[p] else { continue }
                base.update(repeating: values[p], count: Int(lines[p]) * heights[p])
            }
        }
    }

    /// A new frame holding `frame` rotated clockwise by 90, 180 or 270 degrees (4:2:0 planar).
    static func rotated(_ frame: Frame, clockwise degrees: Int) throws(MediaError) -> Frame {
        let f = frame.pointer.pointee
        let quarter = degrees == 90 || degrees == 270
        let out = try Frame(width: quarter ? f.height : f.width, height: quarter ? f.width : f.height,
                            format: AVPixelFormat(rawValue: f.format))
        let srcLines = strides(frame.pointer)
        let dstLines = strides(out.pointer)
        withUnsafeBytes(of: f.data) { sraw in
            withUnsafeBytes(of: out.pointer.pointee.data) { draw in
                let s = sraw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
                let d = draw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
                for p in 0..<3 {
                    guard let sp = s[p], let dp = d[p] else { continue }
                    let w = p == 0 ? Int(f.width) : Int(f.width + 1) / 2
                    let h = p == 0 ? Int(f.height) : Int(f.height + 1) / 2
                    let ss = Int(srcLines[p]), ds = Int(dstLines[p])
                    for y in 0..<h {
                        for x in 0..<w {
                            let v = sp[y * ss + x]
                            switch degrees {
                            case 90: dp[x * ds + (h - 1 - y)] = v
                            case 180: dp[(h - 1 - y) * ds + (w - 1 - x)] = v
                            default: dp[(w - 1 - x) * ds + y] = v
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Copies a small 4:2:0 picture into `canvas` at (x, y) (both even).
    static func blit(_ tile: Frame, into canvas: Frame, x: Int, y: Int) {
        let t = tile.pointer.pointee
        let tl = strides(tile.pointer), cl = strides(canvas.pointer)
        withUnsafeBytes(of: t.data) { traw in
            withUnsafeBytes(of: canvas.pointer.pointee.data) { craw in
                let ts = traw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
                let cs = craw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
                for p in 0..<3 {
                    guard let tp = ts[p], let cp = cs[p] else { continue }
                    let shift = p == 0 ? 0 : 1
                    let w = Int(t.width) >> shift, h = Int(t.height) >> shift
                    for row in 0..<h {
                        (cp + ((y >> shift) + row) * Int(cl[p]) + (x >> shift)).update(from: tp + row * Int(tl[p]), count: w)
                    }
                }
            }
        }
    }

    /// A picture with no detail: black, or one flat colour (luma spread under 3 levels on the sparse grid).
    static func isBlank(_ frame: Frame) -> Bool {
        lumaStatistics(frame).stddev < 3
    }

    /// Luma statistics on a sparse grid: mean, standard deviation and histogram entropy (bits).
    static func lumaStatistics(_ frame: Frame) -> (mean: Double, stddev: Double, entropy: Double) {
        let f = frame.pointer.pointee
        guard let y = f.data.0 else { return (0, 0, 0) }
        let stride = Int(f.linesize.0)
        let w = Int(f.width), h = Int(f.height)
        let step = max(1, min(w, h) / 64)
        var histogram = [Int](repeating: 0, count: 64)
        var sum = 0.0, sumSq = 0.0, n = 0.0
        var row = 0
        while row < h {
            var col = 0
            while col < w {
                let v = Double(y[row * stride + col])
                histogram[Int(v) >> 2] += 1
                sum += v; sumSq += v * v; n += 1
                col += step
            }
            row += step
        }
        guard n > 0 else { return (0, 0, 0) }
        let mean = sum / n
        let variance = max(0, sumSq / n - mean * mean)
        var entropy = 0.0
        for c in histogram where c > 0 {
            let p = Double(c) / n
            entropy -= p * log2(p)
        }
        return (mean, variance.squareRoot(), entropy)
    }
}
