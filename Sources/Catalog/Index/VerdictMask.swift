/// The verdicts among a task's assets as bits, stored in the index beside the task so that a verdict filter is read
/// from the index that orders the page (no look-up of the task's assets per row).
public struct VerdictMask: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The verdicts a mask knows, each its own bit; a verdict not listed here gets ``other``.
    public static let names = ["match", "mismatch", "unreported", "undecodable"]
    public static let other = VerdictMask(rawValue: 1 << names.count)

    /// The bit of one verdict.
    public init(verdict: String) {
        self = VerdictMask.names.firstIndex(of: verdict).map { VerdictMask(rawValue: 1 << $0) } ?? .other
    }

    /// The bits of every verdict in `verdicts`.
    public init(_ verdicts: some Sequence<String>) {
        self = verdicts.reduce(into: VerdictMask()) { $0.formUnion(VerdictMask(verdict: $1)) }
    }
}
