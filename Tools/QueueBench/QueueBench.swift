import ArgumentParser

/// Benchmarks of the PostgreSQL job queue (issue 16), driven by `Tools/bench/queue.sh`. Each measuring mode prints
/// one JSON line on standard output; logs go to standard error.
///
/// The database comes from `--url` or `REEL_DATABASE_URL` (the environment keeps it out of `ps`); its password is never
/// printed. Every mode empties `reel_jobs` (`index`: `reel_tasks`) first: point it at a throwaway database
/// (`Tools/postgres.sh start`).
@main
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reel-queue-bench",
        abstract: "Benchmarks of the PostgreSQL job queue; each mode prints one JSON line.",
        subcommands: [Throughput.self, Latency.self, Rescue.self, Prepare.self, Check.self, Report.self, IndexBench.self,
                      Claimer.self, Victim.self]
    )
}

/// Where the throwaway database is.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "postgres://USER[:PASSWORD]@127.0.0.1:PORT/DB (default: REEL_DATABASE_URL)")
    var url: String?

    /// The postmaster's pid (`DIR/data/postmaster.pid`): the server's CPU per job is reported when given.
    @Option(help: "The postmaster's pid, to report the server's CPU per job (Linux /proc)")
    var postmasterPid: Int32?

    func settings() throws -> BenchDatabase {
        let environment = ProcessInfoEnvironment.value("REEL_DATABASE_URL")
        guard let url = url ?? environment else {
            throw ValidationError("give --url postgres://… or set REEL_DATABASE_URL")
        }
        return try BenchDatabase(url: url, postmasterPid: postmasterPid)
    }
}
