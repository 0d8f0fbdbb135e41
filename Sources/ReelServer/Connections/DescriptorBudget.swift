#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fits both listeners' connection caps under the process's descriptor limit (`RLIMIT_NOFILE`), keeping
/// ``HTTPLimits/reservedDescriptors`` for the queue, the catalog, downloads and media files, so that a flood on one
/// listener never starves the admin listener or the work. The soft limit is first raised as far as the hard limit
/// allows.
enum DescriptorBudget {
    struct Fitted: Equatable {
        var limits: HTTPLimits
        /// Set when the caps had to be lowered: what to log.
        var warning: String?
    }

    static func fit(_ limits: HTTPLimits, descriptorLimit: Int? = currentLimit()) -> Fitted {
        guard let available = descriptorLimit else { return Fitted(limits: limits) }
        let wanted = limits.callbackMaxConnections + limits.adminMaxConnections + HTTPLimits.reservedDescriptors
        guard wanted > available else { return Fitted(limits: limits) }
        var fitted = limits
        let budget = max(2, available - HTTPLimits.reservedDescriptors)
        // Keep the admin listener's share, at most an eighth of the budget, and give the rest to callbacks.
        fitted.adminMaxConnections = max(1, min(limits.adminMaxConnections, budget / 8))
        fitted.callbackMaxConnections = max(1, min(limits.callbackMaxConnections, budget - fitted.adminMaxConnections))
        let warning = "connection caps lowered to fit RLIMIT_NOFILE \(available) (\(HTTPLimits.reservedDescriptors) kept in reserve): "
            + "callback \(limits.callbackMaxConnections) → \(fitted.callbackMaxConnections), admin \(limits.adminMaxConnections) → \(fitted.adminMaxConnections)"
        return Fitted(limits: fitted, warning: warning)
    }

    /// The soft descriptor limit, after raising it to the hard limit where allowed; nil when unlimited or unknown.
    static func currentLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        guard limit.rlim_cur < rlim_t(Int32.max) else { return nil } // RLIM_INFINITY is larger
        return Int(limit.rlim_cur)
    }
}
