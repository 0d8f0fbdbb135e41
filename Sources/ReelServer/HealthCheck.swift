import Catalog
import Foundation
import Pipeline

/// What `/healthz` checks: the store is usable (the storage root; or the bucket and the scratch directory), the index
/// answers, the queue answers. Answers are
/// cached for a second, so a flood of health checks costs the disk nothing. Reasons are short and hold no absolute
/// path (`/healthz` needs no token).
actor HealthCheck {
    let catalog: Catalog
    let queue: any JobQueue
    private var cached: (at: ContinuousClock.Instant, problem: String?)?

    init(catalog: Catalog, queue: any JobQueue) {
        self.catalog = catalog
        self.queue = queue
    }

    /// nil when healthy, else a short reason.
    func problem() async -> String? {
        let now = ContinuousClock.now
        if let cached, now - cached.at < .seconds(1) { return cached.problem }
        let problem = await check()
        cached = (now, problem)
        return problem
    }

    private func check() async -> String? {
        if let problem = await catalog.store.unavailability() { return problem }
        do { _ = try await catalog.count() } catch { return "catalog index unavailable" }
        do { _ = try await queue.counts() } catch { return "job queue unavailable" }
        return nil
    }
}
