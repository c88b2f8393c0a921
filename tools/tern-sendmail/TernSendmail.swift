import Envelope
import Foundation
import Transport

/// tern-sendmail: the sendmail-compatible enqueuer. Install it as
/// `/usr/sbin/sendmail` (and `mailq`) with a symlink. It hands each message
/// to the running ternd over the control socket, which answers only once the
/// message is committed to the journal; its exit status follows
/// `<sysexits.h>`.
@main
enum TernSendmail {
    static let usage = """
        usage: tern-sendmail [-t] [-i|-oi] [-v] [-f sender] [-F full-name] [-N never|success,failure,delay]
                             [-R full|hdrs] [-V envid] [--socket path | -oQ queue-dir] [recipient ...]
               tern-sendmail -bs      SMTP on standard input and output
               tern-sendmail -bp      list the queue (also: mailq)
        """

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do throws(SubmissionError) {
            var options = try SendmailOptions.parse(arguments)
            if (CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } == "mailq") {
                options.mode = .listQueue
            }
            let socket = options.controlSocket ?? ProcessInfo.processInfo.environment["TERN_ENQUEUE_SOCKET"] ?? "./var/enqueue.sock"
            switch options.mode {
            case .submit:
                let context = context()
                let submission = try SendmailSubmission(options: options, input: try readStandardInput(), context: context)
                let id = if let directory = options.queueDirectory {
                    try await OfflineEnqueuer(directory: directory).enqueue(submission, context: context)
                } else {
                    try Enqueuer(socket: socket).enqueue(submission)
                }
                if options.verbose { print("queued as \(id)") }
            case .listQueue:
                let messages = if let directory = options.queueDirectory {
                    try OfflineEnqueuer(directory: directory).queue()
                } else {
                    try Enqueuer(socket: socket).queue()
                }
                print(QueueListing.lines(messages).joined(separator: "\n"))
            case .smtp:
                guard options.queueDirectory == nil else { throw SubmissionError(.usage, "-bs needs the daemon; it cannot be combined with -oQ") }
                var session = StandardIOSMTPSession(enqueuer: Enqueuer(socket: socket), context: context())
                session.run()
            }
        } catch {
            FileHandle.standardError.write(Data("tern-sendmail: \(error)\n".utf8))
            if error.code == .usage { FileHandle.standardError.write(Data((usage + "\n").utf8)) }
            exit(error.exitStatus)
        }
    }

    static func readStandardInput() throws(SubmissionError) -> [UInt8] {
        do {
            return Array(try FileHandle.standardInput.readToEnd() ?? Data())
        } catch {
            throw SubmissionError(.noInput, "cannot read the message from standard input: \(error)")
        }
    }

    /// The invoking user, this host and now.
    static func context() -> SendmailSubmission.Context {
        let now = Date()
        var buffer = [CChar](repeating: 0, count: 256)
        let named = gethostname(&buffer, buffer.count - 1) == 0
        let hostname = named ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        return SendmailSubmission.Context(
            user: userName(), hostname: hostname.isEmpty ? "localhost" : hostname, now: now,
            uniqueID: MessageIDGenerator().next(now: now)
        )
    }

    /// The login name of the effective user (getpwuid_r), else $USER or $LOGNAME.
    static func userName() -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        if getpwuid_r(geteuid(), &entry, &buffer, buffer.count, &result) == 0, let result, let name = result.pointee.pw_name {
            return String(cString: name)
        }
        let environment = ProcessInfo.processInfo.environment
        return environment["USER"] ?? environment["LOGNAME"] ?? "nobody"
    }
}
