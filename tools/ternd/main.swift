import ArgumentParser
import Foundation
import Logging
import Server

/// ternd: the Tern mail transfer agent daemon.
@main
struct Ternd: ParsableCommand {
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

    /// Synchronous on purpose: `TernDaemon.start` must bind and drop root on
    /// the main thread before Swift's async runtime parks it (see there).
    func run() throws {
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
            logLevels.handler(label: label, wrapping: LogLineHandler(label: label))
        }
        let logger = Logger(label: "ternd")
        do {
            let startup = try TernDaemon.start(configuration: configuration, logger: logger)
            try Self.waitFor { [file] in
                try await TernDaemon.run(startup, configuration: configuration, configurationPath: file, logger: logger, logLevels: logLevels)
            }
        } catch {
            logger.critical("ternd: \(error)")
            throw ExitCode(1)
        }
    }

    /// Runs `body` as a task and blocks the main thread until it ends. The
    /// main thread waits on a semaphore, with signals unblocked, instead of
    /// entering `dispatch_main`; nothing in ternd runs on the main actor.
    static func waitFor(_ body: @escaping @Sendable () async throws -> Void) throws {
        let outcome = Outcome()
        Task.detached {
            do {
                try await body()
            } catch {
                outcome.fail(error)
            }
            outcome.done.signal()
        }
        outcome.done.wait()
        if let error = outcome.error { throw error }
    }

    /// The end of the task `waitFor` runs.
    final class Outcome: @unchecked Sendable {
        // @unchecked: `failure` is written by the task before it signals `done`
        // and read by the main thread only after `done.wait()` returns.
        let done = DispatchSemaphore(value: 0)
        private var failure: (any Error)?
        var error: (any Error)? { failure }
        func fail(_ error: any Error) { failure = error }
    }
}
