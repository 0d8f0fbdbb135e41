import ArgumentParser
import Testing
@testable import reel

/// `--help` of every command (issue 15): an EXAMPLES section whose invocations parse (so every flag they use exists),
/// and a `--json` that says what that command prints. The tree is walked from `ReelCommand`, so a new command
/// without examples fails here.
@Suite struct HelpTextTests {
    /// The generic text every `--json` once shared; each command now says what it prints.
    static let genericJSONHelp = "Print one JSON object on stdout (an array for several files)"

    /// Every command reachable from `reel`, the root first, with its path (`reel watch add`).
    static func commands(_ command: any ParsableCommand.Type = ReelCommand.self,
                         path: [String] = []) -> [(path: String, type: any ParsableCommand.Type)] {
        let name = command.configuration.commandName ?? "?"
        let here = path + [name]
        return [(here.joined(separator: " "), command)]
            + command.configuration.subcommands.flatMap { commands($0, path: here) }
    }

    /// Wide columns: no help line is wrapped, so an example is one line.
    static func help(_ command: any ParsableCommand.Type) -> String {
        ReelCommand.helpMessage(for: command, includeHidden: true, columns: 10_000)
    }

    /// The example lines of a help screen: after `EXAMPLES:`, the lines indented by two spaces that run `reel`
    /// (a line may set variables first, `REEL_DATABASE_URL=… reel db migrate`), without a trailing `# comment`.
    static func examples(_ help: String) -> [[String]] {
        guard let range = help.range(of: "EXAMPLES:") else { return [] }
        return help[range.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let words = code.split(separator: " ").map(String.init).drop { $0.contains("=") && !$0.hasPrefix("-") }
            guard words.first == "reel" else { return nil }
            return Array(words.dropFirst())
        }
    }

    @Test func theTreeIsWalked() {
        let paths = Set(Self.commands().map(\.path))
        for expected in ["reel", "reel archive", "reel watch add", "reel jobs cancel", "reel workers ls", "reel db status",
                         "reel migrate", "reel media probe", "reel media fetch"] {
            #expect(paths.contains(expected), "\(expected) is not reached from ReelCommand")
        }
        // The example lines are found (so `everyExampleParses` checks something).
        #expect(Self.examples(Self.help(ArchiveCommand.self)).first == ["archive", "TASK"])
        #expect(Self.examples(Self.help(DatabaseCommand.self)) == [["db", "migrate"], ["db", "status", "--json"]])
    }

    @Test(arguments: commands().map(\.path))
    func everyCommandHasExamples(_ path: String) throws {
        let command = try #require(Self.commands().first { $0.path == path }?.type)
        let help = Self.help(command)
        let hasSection = help.contains("EXAMPLES:")
        let hasExample = help.split(separator: "\n").contains { $0.hasPrefix("  reel ") }
        #expect(hasSection, "\(path) --help has no EXAMPLES: section")
        #expect(hasExample, "\(path) --help has no example line starting with `  reel `")
    }

    /// Each example parses as the command line it shows (arguments, flags and their values, `validate()`), and
    /// lands on the command whose help shows it or on one of its subcommands.
    @Test(arguments: commands().map(\.path))
    func everyExampleParses(_ path: String) throws {
        let command = try #require(Self.commands().first { $0.path == path }?.type)
        for example in Self.examples(Self.help(command)) {
            let words = "reel " + example.joined(separator: " ")
            do {
                let parsed = try ReelCommand.parseAsRoot(example)
                let landed = Self.commands().first { ObjectIdentifier(type(of: parsed)) == ObjectIdentifier($0.type) }?.path ?? "?"
                #expect(landed == path || landed.hasPrefix(path + " "), "\(path): `\(words)` runs \(landed)")
            } catch {
                Issue.record("\(path): `\(words)` does not parse: \(ReelCommand.message(for: error))")
            }
        }
    }

    /// `--help` in an 80-column terminal shows every example on one line (a wrapped one cannot be pasted).
    @Test(arguments: commands().map(\.path))
    func examplesFitIn80Columns(_ path: String) throws {
        let command = try #require(Self.commands().first { $0.path == path }?.type)
        let narrow = ReelCommand.helpMessage(for: command, includeHidden: true, columns: 80).split(separator: "\n")
        let wide = Self.help(command).split(separator: "\n")
        guard let start = wide.firstIndex(of: "EXAMPLES:") else { return }
        for line in wide[(start + 1)...].prefix(while: { $0.hasPrefix("  ") }) {
            #expect(narrow.contains(line), "\(path): the example `\(line)` is wrapped at 80 columns")
        }
    }

    @Test(arguments: commands().map(\.path))
    func jsonSaysWhatItPrints(_ path: String) throws {
        let command = try #require(Self.commands().first { $0.path == path }?.type)
        let help = Self.help(command)
        guard let line = help.split(separator: "\n").first(where: { $0.hasPrefix("  --json") }) else { return }
        #expect(!line.contains(Self.genericJSONHelp), "\(path) --json still has the generic help")
        #expect(line.contains("Print"), "\(path): the --json line says nothing: \(line)")
    }
}
