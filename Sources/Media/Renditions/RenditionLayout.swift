/// Where a preset puts the picture for one source, in display orientation: output size, the part of the
/// source used (crop) and where it lands in the output (pad). Everything even.
struct RenditionLayout: Equatable {
    /// Output size as displayed.
    let width: Int
    let height: Int
    /// Part of the displayed source used, in displayed, square-pixel source coordinates.
    let crop: PixelRect?
    /// Where the scaled picture goes in the output.
    let content: PixelRect
    /// Scale factor applied to the source (> 1 would be an upscale).
    let scale: Double

    /// nil when the preset would upscale the source (skipped, never upscaled).
    static func resolve(_ preset: RenditionPreset, displayWidth sw: Int, displayHeight sh: Int) -> RenditionLayout? {
        func even(_ v: Double) -> Int { max(2, Int((v / 2).rounded()) * 2) }
        let s = preset.shortSide
        switch preset.fit {
        case .keep:
            let factor = Double(s) / Double(min(sw, sh))
            guard factor <= 1.000001 else { return nil }
            let w = sw <= sh ? s : even(Double(sw) * factor)
            let h = sw <= sh ? even(Double(sh) * factor) : s
            return RenditionLayout(width: w, height: h, crop: nil, content: PixelRect(x: 0, y: 0, width: w, height: h), scale: factor)
        case .pad, .crop:
            // A parsed pad/crop preset always has an aspect; without one there is nothing to pad or crop to.
            guard let (aw, ah) = preset.aspect else { return nil }
            let w = aw <= ah ? s : even(Double(s) * Double(aw) / Double(ah))
            let h = aw <= ah ? even(Double(s) * Double(ah) / Double(aw)) : s
            if preset.fit == .pad {
                let factor = min(Double(w) / Double(sw), Double(h) / Double(sh))
                guard factor <= 1.000001 else { return nil }
                let cw = min(w, even(Double(sw) * factor)), ch = min(h, even(Double(sh) * factor))
                let x = ((w - cw) / 2) & ~1, y = ((h - ch) / 2) & ~1
                return RenditionLayout(width: w, height: h, crop: nil, content: PixelRect(x: x, y: y, width: cw, height: ch), scale: factor)
            }
            let factor = max(Double(w) / Double(sw), Double(h) / Double(sh))
            guard factor <= 1.000001 else { return nil }
            let cropW = min(sw, Int((Double(w) / factor).rounded()) & ~1), cropH = min(sh, Int((Double(h) / factor).rounded()) & ~1)
            let crop = PixelRect(x: ((sw - cropW) / 2) & ~1, y: ((sh - cropH) / 2) & ~1, width: cropW, height: cropH)
            return RenditionLayout(width: w, height: h, crop: crop, content: PixelRect(x: 0, y: 0, width: w, height: h), scale: factor)
        }
    }

    /// The same layout in the source's coded orientation (rotation kept as metadata on the output):
    /// a quarter turn swaps axes. Centred crops and pads are symmetric, so only the axes swap.
    /// A non-square source's crop is mapped from square-pixel units back to coded pixels.
    func coded(_ g: DisplayGeometry) -> (width: Int, height: Int, crop: PixelRect?, content: PixelRect) {
        func transpose(_ r: PixelRect) -> PixelRect { PixelRect(x: r.y, y: r.x, width: r.height, height: r.width) }
        var crop = self.crop
        var content = self.content
        var w = width, h = height
        if g.isQuarterTurn {
            crop = crop.map(transpose)
            content = transpose(content)
            swap(&w, &h)
        }
        if var c = crop, g.squareWidth != g.codedWidth {
            let k = Double(g.codedWidth) / Double(g.squareWidth)
            c.x = Int(Double(c.x) * k) & ~1
            c.width = min(g.codedWidth - c.x, Int(Double(c.width) * k) & ~1)
            crop = c
        }
        return (w, h, crop, content)
    }
}
