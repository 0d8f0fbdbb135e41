/// A rendition preset: `<short side>p` keeps the aspect (`720p`), `<w>x<h>-<short side>p-<pad|crop>` changes it
/// (`1x1-720p-crop`, `16x9-480p-pad`, `9x16-720p-pad`).
public struct RenditionPreset: Sendable, Hashable, CustomStringConvertible {
    public enum Fit: String, Sendable, Codable { case keep, pad, crop }

    public let name: String
    /// Target short side, pixels.
    public let shortSide: Int
    /// Target aspect (width, height) for `pad`/`crop`; nil keeps the source's.
    public let aspect: (width: Int, height: Int)?
    public let fit: Fit

    public var description: String { name }

    public static func == (a: Self, b: Self) -> Bool { a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(name) }

    public init(parsing text: String) throws(MediaError) {
        let name = text.trimmingCharacters(in: .whitespaces).lowercased()
        func shortSide(_ s: Substring) throws(MediaError) -> Int {
            guard s.hasSuffix("p"), let v = Int(s.dropLast()), v >= 16, v <= 4320, v % 2 == 0 else {
                throw MediaError(.invalidPreset, "invalid preset '\(text)': '\(s)' is not an even short side like 720p")
            }
            return v
        }
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            self.name = name
            self.shortSide = try shortSide(parts[0])
            self.aspect = nil
            self.fit = .keep
        case 3:
            let ratio = parts[0].split(separator: "x")
            guard ratio.count == 2, let w = Int(ratio[0]), let h = Int(ratio[1]), w > 0, h > 0, w <= 100, h <= 100 else {
                throw MediaError(.invalidPreset, "invalid preset '\(text)': '\(parts[0])' is not an aspect like 16x9")
            }
            guard let fit = Fit(rawValue: String(parts[2])), fit != .keep else {
                throw MediaError(.invalidPreset, "invalid preset '\(text)': the last part must be pad or crop")
            }
            self.name = name
            self.shortSide = try shortSide(parts[1])
            self.aspect = (w, h)
            self.fit = fit
        default:
            throw MediaError(.invalidPreset, "invalid preset '\(text)'")
        }
    }

    /// Parses a comma-separated list, dropping duplicates.
    public static func list(_ text: String) throws(MediaError) -> [RenditionPreset] {
        var seen = Set<RenditionPreset>()
        var out: [RenditionPreset] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            let preset = try RenditionPreset(parsing: String(part))
            if seen.insert(preset).inserted { out.append(preset) }
        }
        guard !out.isEmpty else { throw MediaError(.invalidPreset, "no preset given") }
        return out
    }

    public static let defaultLadder: [RenditionPreset] = [RenditionPreset(keepingAspect: 720), RenditionPreset(keepingAspect: 480)]

    /// `<shortSide>p`: the source's aspect kept (for constants; `shortSide` must be a valid even size).
    private init(keepingAspect shortSide: Int) {
        name = "\(shortSide)p"
        self.shortSide = shortSide
        aspect = nil
        fit = .keep
    }
}

import Foundation

extension RenditionPreset: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}
