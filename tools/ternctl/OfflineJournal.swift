import ArgumentParser
import Envelope
import Foundation
import Queue

/// Exit statuses of the offline commands beyond 0 (done) and 1 (something was not).
enum OfflineExit {
    /// The command cannot start: a missing or conflicting argument found at run time.
    static let usage = ExitCode(2)
    /// A daemon (or another tool) holds the journal.
    static let journalInUse = ExitCode(3)
}

extension JournalOptions {
    /// Opens the journal as its only writer; refuses, with exit status 3,
    /// while the daemon holds it.
    func openForWriting() throws -> Journal {
        do {
            return try Journal(path: path, options: Journal.Options())
        } catch let error as JournalError where error.code == .locked {
            throw refuseInUse()
        } catch {
            throw ValidationError("cannot open the journal at \(path): \(error)")
        }
    }

    /// Opens the journal as its only writer, or nil while the daemon holds it.
    func openForWritingUnlessInUse() throws -> Journal? {
        do {
            return try Journal(path: path, options: Journal.Options())
        } catch let error as JournalError where error.code == .locked {
            return nil
        } catch {
            throw ValidationError("cannot open the journal at \(path): \(error)")
        }
    }

    /// Reports that the journal is held and returns the exit status to throw.
    func refuseInUse() -> ExitCode {
        printError("the journal at \(path) is in use (is ternd running?); stop the daemon first, or use the live command")
        return OfflineExit.journalInUse
    }
}

/// Parses message ids given as arguments.
func parseIDs(_ texts: [String]) throws -> Set<MessageID> {
    var result = Set<MessageID>()
    for text in texts {
        guard let id = MessageID(text) else { throw ValidationError("'\(text)' is not a message id (20 base32 characters)") }
        result.insert(id)
    }
    return result
}

/// Parses a time: ISO 8601 (`2026-11-25T14:00:00Z`), a day (`2026-11-25`, UTC
/// midnight), or a duration ago (`90m`, `2h`, `1d`).
func parseTime(_ text: String, now: Date = Date()) throws -> Date {
    if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
    if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
    if let date = try? Date.ISO8601FormatStyle().year().month().day().parse(text) { return date }
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    if let unit = text.last.flatMap({ units[$0] }), let count = Double(text.dropLast()), count >= 0 {
        return now.addingTimeInterval(-count * unit)
    }
    throw ValidationError("'\(text)' is not a time (2026-11-25T14:00:00Z, 2026-11-25, or a duration ago such as 2h)")
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data("ternctl: \(line)\n".utf8))
}
