import AsyncHTTPClient
import Catalog
import Logging
import TopView

/// What an archive run works with: the catalog, the API client, the downloader, settings, the stage bounds shared by
/// every job of the process, and an event sink.
public struct ArchiveContext: Sendable {
    public let catalog: Catalog
    public let client: TopViewClient
    public let downloader: Downloader
    public let settings: ArchiveSettings
    public let limits: StageLimits
    public let logger: Logger
    public let events: @Sendable (ArchiveEvent) -> Void

    public init(catalog: Catalog, client: TopViewClient, downloader: Downloader, settings: ArchiveSettings = .init(),
                limits: StageLimits = .unbounded, logger: Logger, events: @escaping @Sendable (ArchiveEvent) -> Void = { _ in }) {
        self.catalog = catalog
        self.client = client
        self.downloader = downloader
        self.settings = settings
        self.limits = limits
        self.logger = logger
        self.events = events
    }
}
