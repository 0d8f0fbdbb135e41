import ArgumentParser
import Foundation
import Hummingbird
import Logging

/// `reel-sandbox`: a local stand-in for the TopView query API and its media storage, for tests and demos.
@main
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reel-sandbox",
        abstract: "Serve a local sandbox of the TopView query API and its videos on 127.0.0.1.",
        discussion: """
            The scenario of a task is chosen by its id's prefix: demo, ready, progress, busy, partial, wrongdur, \
            truncated, expiring, cut, changing, liar, late, failed, duplicate, stall, trickle, notfound, badkey, credit, html, svg \
            (for example `ready-1234`). Once listening, prints `SANDBOX_URL=http://HOST:PORT` on stdout.
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 0

    @Option(name: .customLong("media-dir"), help: "Where the generated media are kept (made with ffmpeg if missing).")
    var mediaDir = "./.sandbox-media"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "reel-sandbox")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        let directory = URL(fileURLWithPath: mediaDir).standardizedFileURL
        try MediaGenerator(directory: directory, logger: logger).generateMissing()

        let state = ScenarioState()
        let router = Router()
        QueryRoutes(state: state).add(to: router)
        MediaRoutes(directory: directory, state: state, logger: logger).add(to: router)

        let host = self.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "reel-sandbox"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                FileHandle.standardOutput.write(Data("SANDBOX_URL=http://\(host):\(port)\n".utf8))
            },
            logger: logger
        )
        try await app.runService()
    }
}
