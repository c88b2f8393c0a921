import ArgumentParser
import Foundation
import Transport

/// Where the daemon's control socket is, and sending it one command.
struct ControlOptions: ParsableArguments {
    @Option(help: "The daemon's control socket (`control socket` in its configuration).")
    var socket = ProcessInfo.processInfo.environment["TERN_CONTROL_SOCKET"] ?? "./var/control.sock"

    /// Sends `command`; a refusal by the daemon is printed and exits 1.
    func send(_ command: ControlCommand) throws -> ControlResult {
        let result: ControlResult
        do {
            result = try ControlClient(path: socket).send(command)
        } catch {
            FileHandle.standardError.write(Data("ternctl: \(error)\n".utf8))
            throw ExitCode(error.code == .notRunning ? 69 : 1)
        }
        if case .failed(let reason) = result { throw failure(reason) }
        return result
    }

    /// Sends a command whose answer is a sentence, and prints it.
    func perform(_ command: ControlCommand) throws {
        guard case .done(let text) = try send(command) else { throw unexpected() }
        print(text)
    }

    func unexpected() -> ExitCode {
        failure("the daemon gave an unexpected answer; are ternctl and ternd the same version?")
    }
}
