import Crypto
import DurableFiles
import Foundation
import ReelBasics
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who runs a job: `"<hostname>:<pid>"`, optionally followed by `:<anything>` (a worker name).
///
/// Whether an owner is still alive is decided by a *lease*: the first claim made for an owner takes an
/// flock(2) on `queue/owners/<owner>.lease` and keeps it for the life of the process, so the kernel
/// releases it when the process ends, kill -9 included, whatever its pid or hostname becomes after a
/// restart (containers reuse pid 1 and change hostnames). See ``JobOwner/isGone(_:caller:leases:)``.
public enum JobOwner {
    /// `"<hostname>:<pid>"` of this process.
    public static var current: String { "\(hostname):\(getpid())" }

    package static let hostname: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }()

    /// The `host` and `pid` of an owner string, `nil` if it has no numeric pid.
    package static func parse(_ owner: String) -> (host: String, pid: Int32)? {
        let parts = owner.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let pid = Int32(parts[1]), pid > 0 else { return nil }
        return (String(parts[0]), pid)
    }

    /// The lease file name of `owner`: its safe characters, then a hash that keeps distinct owners apart.
    static func leaseName(_ owner: String) -> String { fileStem(owner) + ".lease" }

    /// A file name for `owner` without its extension: its safe characters, then a hash that keeps distinct owners apart.
    static func fileStem(_ owner: String) -> String {
        let safe = String(owner.unicodeScalars.prefix(64).map { scalar -> Character in
            let c = Character(scalar)
            return c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_") ? c : "_"
        })
        let digest = hexString(SHA256.hash(data: Data(owner.utf8)).prefix(6))
        return "\(safe)-\(digest)"
    }

    /// Whether the process that owns a running job is gone, so the job may be put back:
    /// - no owner: gone;
    /// - same host, a pid that no longer exists: gone;
    /// - its lease is held (by this process or another): alive;
    /// - same host, the caller's own pid (or this process's) without a lease: gone, an earlier process
    ///   that had this pid before a restart;
    /// - same host, another live pid without a lease: alive (not claimed through a lease; kept, as the
    ///   pid may well be its owner);
    /// - another host, or an owner string without a pid: gone unless its lease is held.
    static func isGone(_ owner: String?, caller: String, leases: URL) -> Bool {
        guard let owner else { return true }
        let leaseHeld = { OwnerLeases.isHeld(leases.appendingPathComponent(leaseName(owner)).path) }
        guard let parsed = parse(owner), parsed.host == hostname else { return !leaseHeld() }
        let isMe = parsed.pid == getpid() || parse(caller).map { $0.host == parsed.host && $0.pid == parsed.pid } == true
        if !isMe, kill(parsed.pid, 0) != 0, errno == ESRCH { return true }
        if leaseHeld() { return false }
        return isMe
    }
}

/// The owner leases this process holds, one open, flocked descriptor per lease file, kept until exit.
enum OwnerLeases {
    private static let held = Mutex<[String: Int32]>([:])

    /// Takes the lease at `path` for this process if it does not hold it yet. `false` if another
    /// process holds it (two live processes claiming with one owner string: a misconfiguration).
    static func acquire(_ path: String) throws(FileError) -> Bool {
        try held.withLock { (held: inout [String: Int32]) throws(FileError) -> Bool in
            if held[path] != nil { return true }
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 { throw FileError("open lease", path, errno: errno) }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                if code == EWOULDBLOCK { return false }
                throw FileError("flock lease", path, errno: code)
            }
            held[path] = fd
            return true
        }
    }

    /// True if this process or another holds the lease at `path`.
    static func isHeld(_ path: String) -> Bool {
        if held.withLock({ $0[path] != nil }) { return true }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return false }
        defer { close(fd) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            return errno == EWOULDBLOCK
        }
        return false // we got it: nobody holds it (closing releases it)
    }
}
