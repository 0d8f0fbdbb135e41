import ArgumentParser

/// "Did you mean" for a mistyped subcommand (`reel achive` → `archive`), as gh and git answer it: the command line is
/// walked down the subcommand tree before parsing, and a word that names no subcommand where one is expected gets the
/// closest names (edit distance up to 2, or a prefix of one).
enum CommandSuggestion {
    /// The message for `arguments` (without the program name), or `nil` when every subcommand word is known.
    static func message(for arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [name(of: root)]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-") else { return nil }
            if word == "help" { return nil }
            guard let next = subcommands.first(where: { name(of: $0) == word }) else {
                let names = subcommands.map(name(of:))
                let close = names.filter { $0.hasPrefix(word) || distance(word, $0) <= 2 }
                    .sorted { distance(word, $0) < distance(word, $1) }
                var text = "error: unknown command '\(String(word.prefix(64)))' for '\(path.joined(separator: " "))'"
                if !close.isEmpty { text += "\n\nDid you mean this?\n" + close.prefix(3).map { "\t\($0)" }.joined(separator: "\n") }
                text += "\n\nRun '\(path.joined(separator: " ")) --help' for the commands."
                return text
            }
            command = next
            path.append(word)
        }
        return nil
    }

    static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? String(describing: command).lowercased()
    }

    /// Levenshtein distance (the words are short).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
