extension Duration {
    /// The duration in decimal seconds (`.milliseconds(1500)` → 1.5).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
