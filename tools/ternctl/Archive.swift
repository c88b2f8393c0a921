import ArgumentParser
import Envelope
import Foundation
import Queue
import Transport

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write messages to a portable archive (envelope metadata as JSON plus the raw message).",
        discussion: "Reads the journal read-only, so it works beside a running daemon. Without --output or --directory the archive goes to standard output."
    )

    @OptionGroup var journal: JournalOptions
    @Flag(help: "Every message, pending and completed.") var all = false
    @Option(help: "Only messages with a recipient in this domain.") var domain: String?
    @Option(help: "Only messages from this sender (empty for <>).") var sender: String?
    @Option(help: "Write one archive stream to this file.") var output: String?
    @Option(help: "Write one archive file per message (<id>.tern) into this directory.") var directory: String?
    @Argument(help: "Message ids.") var ids: [String] = []

    func validate() throws {
        if !all && ids.isEmpty && domain == nil && sender == nil {
            throw ValidationError("say what to export: --all, message ids, --domain or --sender")
        }
        if output != nil && directory != nil { throw ValidationError("give --output or --directory, not both") }
    }

    func run() throws {
        let selection = JournalSelection(ids: try parseIDs(ids), recipientDomain: domain, sender: sender)
        let journal = try self.journal.open()
        let report: ExportReport
        if let directory {
            report = try journal.export(selection, toDirectory: directory)
        } else if let output {
            let temporary = output + ".tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
                throw ValidationError("cannot create \(temporary)")
            }
            do {
                report = try journal.export(selection) { try handle.write(contentsOf: Data($0)) }
                try handle.synchronize()
                try handle.close()
                try? FileManager.default.removeItem(atPath: output)
                try FileManager.default.moveItem(atPath: temporary, toPath: output)
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw error
            }
        } else {
            report = try journal.export(selection) { FileHandle.standardOutput.write(Data($0)) }
        }
        for (id, reason) in report.failed { printError("id=\(id) not exported: \(reason)") }
        if output != nil || directory != nil { print("exported \(report.exported.count) message\(report.exported.count == 1 ? "" : "s")") }
        guard report.failed.isEmpty else { throw ExitCode(1) }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store the messages of an archive (a file, a directory of .tern files, or - for standard input) in a journal.",
        discussion: "Messages keep their ids; an id already in the journal is skipped, so importing twice duplicates nothing. Pending recipients are due at once. While ternd holds the journal, the archive (a file or directory it can read) goes through the daemon's control socket. Exit status 1 if anything could not be imported."
    )

    @OptionGroup var journal: JournalOptions
    @OptionGroup var control: ControlOptions
    @Argument(help: "The archive file or directory, or - for standard input.") var archive: String

    func run() async throws {
        guard let journal = try self.journal.openForWritingUnlessInUse() else {
            guard archive != "-" else { throw ValidationError("a running daemon imports from a file or directory, not standard input") }
            printError("the journal is held by ternd: importing through its control socket")
            let path = archive.hasPrefix("/") ? archive : FileManager.default.currentDirectoryPath + "/" + archive
            return try control.perform(.importArchive(path: path))
        }
        defer { journal.close() }
        let report = archive == "-"
            ? try await journal.importArchive(descriptor: STDIN_FILENO)
            : try await journal.importArchive(at: archive)
        for id in report.imported { print("imported \(id)") }
        for id in report.skipped { print("skipped \(id): already in the journal") }
        for (id, reason) in report.failed { printError("id=\(id) not imported: \(reason)") }
        if let error = report.archiveError { printError("\(archive): \(error)") }
        print("-- \(report.imported.count) imported, \(report.skipped.count) skipped, \(report.failed.count) failed")
        guard report.isComplete else { throw ExitCode(1) }
    }
}
