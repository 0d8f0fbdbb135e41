import ArgumentParser

/// `--database-url`: the PostgreSQL of a deployment's shared state (see ``DatabaseConfiguration``).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL for shared state (default: REEL_DATABASE_URL; unset: the embedded files).")
    var databaseURL: String?
}
