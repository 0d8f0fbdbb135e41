/// Connection limits of the two listeners: what a slow, idle or flooding client may hold.
public struct HTTPLimits: Sendable, Equatable {
    /// An open connection with no request in progress is closed after this long (`REEL_HTTP_IDLE_TIMEOUT`).
    public var idleTimeout: Duration
    /// From a request's first byte to the end of its headers (`REEL_HTTP_HEADER_TIMEOUT`).
    public var headerTimeout: Duration
    /// A request body slower than `minBodyBytesPerSecond` averaged over `bodyRateWindow` is cut with 408.
    public var minBodyBytesPerSecond: Int
    public var bodyRateWindow: Duration
    /// Connections held at once on the callback listener (`REEL_CALLBACK_MAX_CONNECTIONS`); when full, the
    /// longest-idle connection that has not sent a request makes room for a new one.
    public var callbackMaxConnections: Int
    /// Connections held at once on the admin listener (`REEL_ADMIN_MAX_CONNECTIONS`); over it, a new one is closed.
    public var adminMaxConnections: Int

    /// Descriptors kept in reserve beyond both caps for the queue, the catalog, downloads and media files.
    public static let reservedDescriptors = 64
    /// Allowed ranges (documented in the README and `reel serve --help`).
    public static let timeoutRange: ClosedRange<Double> = 0.1...86_400
    public static let connectionRange: ClosedRange<Int> = 1...65_536

    public init(idleTimeout: Duration = .seconds(30), headerTimeout: Duration = .seconds(10),
                minBodyBytesPerSecond: Int = 1024, bodyRateWindow: Duration = .seconds(10),
                callbackMaxConnections: Int = 512, adminMaxConnections: Int = 64) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.minBodyBytesPerSecond = minBodyBytesPerSecond
        self.bodyRateWindow = bodyRateWindow
        self.callbackMaxConnections = callbackMaxConnections
        self.adminMaxConnections = adminMaxConnections
    }
}
