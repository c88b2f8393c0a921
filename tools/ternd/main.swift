import ArgumentParser
import Foundation
import Logging
import Server

/// ternd: the Tern mail transfer agent daemon.
@main
struct Ternd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ternd",
        abstract: "The Tern mail transfer agent.",
        discussion: "Without -f, ternd runs on its embedded default configuration: SMTP on 127.0.0.1 and ::1 port 2525, mail for localhost accepted, the journal under ./var."
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var file: String?

    @Flag(name: .customShort("n"), help: "Check the configuration, print it with every default made explicit, and exit.")
    var checkOnly = false

    @Flag(name: .shortAndLong, help: "Log debug detail (one line per session event).")
    var verbose = false

    func run() async throws {
        let configuration: Configuration
        do {
            configuration = try file.map { try Configuration.load(path: $0) }
                ?? Configuration.embeddedDefault(hostname: Configuration.systemHostname())
        } catch {
            FileHandle.standardError.write(Data("ternd: \(error)\n".utf8))
            throw ExitCode(78)
        }
        if checkOnly {
            print(configuration.effectiveDescription, terminator: "")
            FileHandle.standardError.write(Data("ternd: configuration \(file ?? "(embedded default)") OK\n".utf8))
            return
        }
        let logLevels = LogLevelControl(level: verbose ? .debug : .info)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .trace
            return logLevels.handler(label: label, wrapping: handler)
        }
        let logger = Logger(label: "ternd")
        do {
            try await TernDaemon.run(configuration: configuration, configurationPath: file, logger: logger, logLevels: logLevels)
        } catch {
            logger.critical("ternd: \(error)")
            throw ExitCode(1)
        }
    }
}
