import CFFmpeg

/// How a coded picture is shown: pixel aspect and rotation applied.
struct DisplayGeometry: Sendable, Equatable {
    let codedWidth: Int
    let codedHeight: Int
    /// Clockwise rotation in degrees (0, 90, 180, 270).
    let rotation: Int
    /// Coded width corrected for a non-square sample aspect ratio (before rotation).
    let squareWidth: Int

    init(codedWidth: Int, codedHeight: Int, sar: AVRational, rotation: Int) {
        self.codedWidth = codedWidth
        self.codedHeight = codedHeight
        self.rotation = [90, 180, 270].contains(rotation) ? rotation : 0
        if sar.isValid, sar.num != sar.den {
            squareWidth = max(1, Int((Double(codedWidth) * sar.doubleValue).rounded()))
        } else {
            squareWidth = codedWidth
        }
    }

    /// Whether width and height swap on display.
    var isQuarterTurn: Bool { rotation == 90 || rotation == 270 }
    var displayWidth: Int { isQuarterTurn ? codedHeight : squareWidth }
    var displayHeight: Int { isQuarterTurn ? squareWidth : codedHeight }
}
