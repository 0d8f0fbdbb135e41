import NIOCore
import Synchronization

/// The open connections of one listener, bounded by a cap. A connection over the cap is closed at once; on a listener
/// that evicts (the callback listener, which faces the internet), the connection idle the longest with no request
/// in progress is closed instead to make room, so a flood of idle sockets cannot lock out a real callback.
final class ConnectionRegistry: Sendable {
    struct Entry {
        let channel: any Channel
        /// Since when the connection has had no request in progress; nil while one is read or answered.
        var idleSince: ContinuousClock.Instant?
    }

    let name: String
    let cap: Int
    let evictsIdle: Bool
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    init(name: String, cap: Int, evictsIdle: Bool) {
        self.name = name
        self.cap = max(1, cap)
        self.evictsIdle = evictsIdle
    }

    enum Admission: Equatable {
        case admitted
        /// Admitted after closing the longest-idle connection.
        case admittedByEviction
        case refused
    }

    /// Registers a new connection, or says it must be closed.
    func admit(_ channel: any Channel, now: ContinuousClock.Instant = .now) -> Admission {
        let (admission, victim): (Admission, (any Channel)?) = entries.withLock { entries in
            if entries.count < cap {
                entries[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: now)
                return (.admitted, nil)
            }
            guard evictsIdle,
                  let oldest = entries.filter({ $0.value.idleSince != nil })
                      .min(by: { $0.value.idleSince! < $1.value.idleSince! }) else { return (.refused, nil) }
            entries[oldest.key] = nil
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: now)
            return (.admittedByEviction, oldest.value.channel)
        }
        victim?.close(promise: nil)
        return admission
    }

    func remove(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Marks a connection idle (`since` set) or busy (nil).
    func setIdle(_ channel: any Channel, since: ContinuousClock.Instant?) {
        entries.withLock { entries in
            let key = ObjectIdentifier(channel)
            if entries[key] != nil { entries[key]!.idleSince = since }
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
