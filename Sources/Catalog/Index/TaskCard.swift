import Foundation

/// What a list of tasks shows of each task beyond its counts — one badge per asset, the duration, the poster — kept
/// in the index beside the task's row, so a page of tasks reads no manifest.
public struct TaskCard: Codable, Sendable, Equatable {
    /// The first poster of the task's videos: a path under the storage root and its size in pixels.
    public struct Poster: Codable, Sendable, Equatable {
        public var path: String
        public var width: Int
        public var height: Int

        public init(path: String, width: Int, height: Int) {
            self.path = path
            self.width = width
            self.height = height
        }
    }

    /// One badge per asset: its verdict when verified, else its state.
    public var assets: [IndexedAsset]
    /// The first video's measured duration, else its reported one (µs).
    public var durationUs: Int64?
    public var poster: Poster?

    public init(assets: [IndexedAsset] = [], durationUs: Int64? = nil, poster: Poster? = nil) {
        self.assets = assets
        self.durationUs = durationUs
        self.poster = poster
    }

    /// The card of a manifest.
    public init(_ manifest: TaskManifest) {
        self.init(
            assets: manifest.assets.map(IndexedAsset.init),
            durationUs: manifest.assets.lazy.compactMap { $0.verification?.measuredDurationUs ?? $0.reportedDurationUs }.first,
            poster: manifest.assets.lazy.compactMap(\.poster).first.map { Poster(path: $0.path, width: $0.width, height: $0.height) }
        )
    }
}

extension TaskCard {
    /// The card as the index stores it: compact JSON.
    public var stored: String {
        guard let data = try? Self.encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The card an index stored (nil when there is none or it cannot be read).
    public init?(stored: String?) {
        guard let stored, !stored.isEmpty,
              let card = try? Self.decoder.decode(TaskCard.self, from: Data(stored.utf8)) else { return nil }
        self = card
    }

    // A card holds no dates: plain coders, made once (a page decodes one per row).
    private static let encoder = JSONEncoder()
    private static let decoder = JSONDecoder()
}
