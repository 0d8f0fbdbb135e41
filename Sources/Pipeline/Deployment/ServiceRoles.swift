import Foundation

/// Which parts of `reel serve` a process runs (`--roles`, `REEL_ROLES`): any of `callbacks`, `admin`, `feeder`,
/// `workers`; every part by default. Every process, whatever its roles, serves `/healthz` and `/metrics` on the admin
/// listener (`REEL_BIND`); the catalog page and API need `admin`.
public struct ServiceRoles: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The vendor's callbacks (`REEL_CALLBACK_BIND`).
    public static let callbacks = ServiceRoles(rawValue: 1)
    /// The catalog page and the admin API (`REEL_BIND`).
    public static let admin = ServiceRoles(rawValue: 2)
    /// Polls the watch list upstream; one process of the deployment at a time (a leader lease).
    public static let feeder = ServiceRoles(rawValue: 4)
    /// Claims and runs archive jobs.
    public static let workers = ServiceRoles(rawValue: 8)
    public static let all: ServiceRoles = [.callbacks, .admin, .feeder, .workers]

    /// The names, in this order.
    public static let named: [(name: String, role: ServiceRoles)] = [
        ("callbacks", .callbacks), ("admin", .admin), ("feeder", .feeder), ("workers", .workers),
    ]

    /// Parses `callbacks,admin,…` (spaces ignored, any order, no repeats); `nil` for an empty list or an unknown name.
    public init?(parsing text: String) {
        var roles: ServiceRoles = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased()
            guard let role = Self.named.first(where: { $0.name == name })?.role, !roles.contains(role) else { return nil }
            roles.insert(role)
        }
        guard !roles.isEmpty else { return nil }
        self = roles
    }

    public var names: [String] { Self.named.filter { contains($0.role) }.map(\.name) }
    public var description: String { names.joined(separator: ",") }
}
