import Foundation

/// The calling thread's name as the kernel keeps it (what `top -H` and `/proc/<pid>/task/*/comm` show). Through
/// `/proc/thread-self/comm`: Glibc's `pthread_setname_np` is not visible to Swift without `_GNU_SOURCE`.
public enum ThreadName {
    private static let path = "/proc/thread-self/comm"

    /// Names the calling thread; Linux keeps the first 15 bytes.
    public static func set(_ name: String) {
        #if os(Linux)
        guard let file = FileHandle(forWritingAtPath: path) else { return }
        try? file.write(contentsOf: Data(name.utf8.prefix(15)))
        try? file.close()
        #else
        Thread.current.name = name
        #endif
    }

    /// The calling thread's name ("" when it has none).
    public static var current: String {
        #if os(Linux)
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.trimmingCharacters(in: .newlines)
        #else
        return Thread.current.name ?? ""
        #endif
    }
}
