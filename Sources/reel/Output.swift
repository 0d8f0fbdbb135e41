import CTerminal
import Catalog
import Foundation
import Synchronization

/// stdout/stderr helpers shared by the commands.
enum Output {
    static func json<T: Encodable>(_ value: T) throws {
        // The catalog's encoder: `reel show --json` prints the manifest exactly as it is stored.
        var data = try CatalogJSON.encoder(pretty: true).encode(value)
        data.append(0x0A)
        Output.write(data, to: .standardOutput)
    }

    static func line(_ text: String) {
        clearProgress()
        Output.write(Data((text + "\n").utf8), to: .standardOutput)
    }

    static func error(_ text: String) {
        clearProgress()
        Output.write(Data((text + "\n").utf8), to: .standardError)
    }

    /// Whether a progress line is on the terminal now (it is cleared before anything else is written).
    private static let progressShown = Mutex(false)

    /// Draws `text` as the progress line on stderr (a terminal): redrawn in place, never wider than the terminal (a
    /// line that wraps would scroll a new one at each redraw).
    static func progress(_ text: String) {
        let width = max(10, terminalColumns - 1)
        let cut = text.count > width ? String(text.prefix(width - 1)) + "…" : text
        progressShown.withLock { $0 = true }
        Output.write(Data("\r\(cut)\u{1B}[K".utf8), to: .standardError)
    }

    /// Removes the progress line, if one is shown.
    static func clearProgress() {
        guard progressShown.withLock({ let was = $0; $0 = false; return was }) else { return }
        Output.write(Data("\r\u{1B}[K".utf8), to: .standardError)
    }

    /// The terminal's width: what the terminal on stderr says, else `COLUMNS`, else 80.
    static var terminalColumns: Int {
        let columns = Int(rv_terminal_columns(STDERR_FILENO))
        if columns > 0 { return columns }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 80
    }

    /// Writes without crashing when the reader went away (`reel show | head`): output stops, the process exits
    /// as it would on SIGPIPE.
    static func write(_ data: Data, to handle: FileHandle) {
        do {
            try handle.write(contentsOf: data)
        } catch {
            Foundation.exit(141)
        }
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// A verdict coloured for a terminal (match green, unreported yellow, mismatch and undecodable red); as it is when
    /// the output is not a terminal or `NO_COLOR` is set (https://no-color.org).
    static func verdict(_ text: String, terminal: Bool) -> String {
        guard terminal, ProcessInfo.processInfo.environment["NO_COLOR"].map({ $0.isEmpty }) ?? true else { return text }
        let code: String
        switch text {
        case "match": code = "32"
        case "unreported": code = "33"
        case "mismatch", "undecodable": code = "31"
        default: return text
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}

/// A progress bar on stderr when it is a terminal; silent otherwise.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let lock = NSLock()
    private var last = -1

    init(_ label: String) { self.label = label }

    /// A callback to hand to long operations; nil when stderr is not a terminal.
    var callback: (@Sendable (Double) -> Void)? {
        guard Output.stderrIsTerminal else { return nil }
        return { [self] fraction in self.draw(fraction) }
    }

    private func draw(_ fraction: Double) {
        let percent = Int((max(0, min(1, fraction)) * 100).rounded(.down))
        lock.lock()
        defer { lock.unlock() }
        guard percent != last else { return }
        last = percent
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        Output.progress("\(label) [\(bar)] \(percent)%")
        if percent == 100 { Output.clearProgress() }
    }
}

/// Bytes for people: `12.3 MiB` (exact bytes stay in --json).
func mebibytes(_ bytes: Int64) -> String {
    String(format: "%.1f MiB", Double(bytes) / 1_048_576)
}

/// Formats µs as seconds with 3 decimals.
func seconds(_ us: Int64?) -> String {
    guard let us else { return "unknown" }
    return String(format: "%.3f s", Double(us) / 1_000_000)
}
