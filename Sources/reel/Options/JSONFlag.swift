import ArgumentParser

/// `--json`: one JSON object on stdout instead of human output.
struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object on stdout (an array for several files).")
    var json = false
}
