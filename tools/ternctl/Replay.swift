import ArgumentParser
import Envelope
import Foundation
import Queue
import Transport

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue completed messages still kept in history again (e.g. after a downstream server lost mail).",
        discussion: """
            Selects messages completed in [--since, --until), with the given ids, or with a recipient in --domain; \
            requeues their delivered and failed recipients (only those in --domain when given), due now, \
            with attempts reset. Works on a stopped daemon's journal, or through the running daemon that holds it.
            """
    )

    @OptionGroup var journal: JournalOptions
    @OptionGroup var control: ControlOptions
    @Option(help: "Completed at or after this time (ISO 8601, a day, or a duration ago such as 2h).") var since: String?
    @Option(help: "Completed before this time.") var until: String?
    @Option(help: "Only recipients in this domain.") var domain: String?
    @Argument(help: "Message ids.") var ids: [String] = []

    func run() async throws {
        let selection = JournalSelection(
            ids: try parseIDs(ids), recipientDomain: domain,
            completedSince: try since.map { try parseTime($0) }, completedUntil: try until.map { try parseTime($0) }
        )
        guard let journal = try self.journal.openForWritingUnlessInUse() else {
            printError("the journal is held by ternd: replaying through its control socket")
            return try control.perform(.replay(ReplayRequest(
                ids: ids, domain: domain, since: selection.completedSince, until: selection.completedUntil
            )))
        }
        defer { journal.close() }
        let replayed = try await journal.replay(selection)
        for id in replayed { print("requeued \(id)") }
        print("-- \(replayed.count) message\(replayed.count == 1 ? "" : "s") requeued")
    }
}
