import Synchronization

/// A count shared by tasks (how many ended, were woken, …), for tests that check what happened, not when.
public final class Tally: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public func add() { count.add(1, ordering: .sequentiallyConsistent) }

    public var value: Int { count.load(ordering: .sequentiallyConsistent) }
}
