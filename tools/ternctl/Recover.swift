import ArgumentParser
import Foundation
import Queue

struct Recover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Salvage everything readable from a damaged journal into a fresh one and report what was lost.",
        discussion: "The damaged journal is only read. Exit status 0 if everything was saved, 1 if anything was lost, 2 when it cannot start (no --output, the output already holds a journal, the damaged journal does not open at all), 3 while a daemon holds the journal."
    )

    @OptionGroup var journal: JournalOptions
    @Option(help: "The new journal directory (must not hold a journal yet).") var output: String?

    func run() async throws {
        guard let output else {
            printError("recover needs --output NEWPATH, a directory for the fresh journal")
            throw OfflineExit.usage
        }
        let report: RecoveryReport
        do {
            report = try await Journal.recover(damaged: journal.path, into: output)
        } catch let error as JournalError where error.code == .locked {
            throw journal.refuseInUse()
        } catch let error as JournalError where error.code == .invalidChange || error.code == .unavailable {
            printError("\(error.detail)")
            throw OfflineExit.usage
        }
        for (id, lost, reasons) in report.partial {
            print("partial \(id): recipients \(lost.map(String.init).joined(separator: ",")) lost (\(reasons.joined(separator: "; ")))")
        }
        for (id, reason) in report.lost { print("lost \(id.map(String.init(describing:)) ?? "-"): \(reason)") }
        print("-- \(report.recovered.count) recovered, \(report.partial.count) partly recovered, \(report.lost.count) lost; new journal at \(output)")
        guard report.isComplete else { throw ExitCode(1) }
    }
}

struct Compact: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite a stopped daemon's journal without its free pages.",
        discussion: "Exit status 3 while a daemon holds the journal."
    )

    @OptionGroup var journal: JournalOptions

    func run() throws {
        let sizes: (before: Int, after: Int)
        do {
            sizes = try Journal.compact(path: journal.path)
        } catch let error as JournalError where error.code == .locked {
            throw journal.refuseInUse()
        }
        print("compacted \(journal.path): \(sizes.before) -> \(sizes.after) bytes")
    }
}
