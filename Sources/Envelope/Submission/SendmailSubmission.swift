import Foundation

/// A message ready to hand to the daemon, made from the sendmail command
/// line and standard input the way sendmail and Postfix's pickup do it:
/// recipients from the arguments (and with `-t` from `To:`, `Cc:` and
/// `Bcc:`, `Bcc:` then removed), and `From:`, `Date:` and `Message-ID:`
/// added when missing.
public struct SendmailSubmission: Hashable, Sendable {
    /// Who runs the command, and where: the defaults for the sender and the headers.
    public struct Context: Hashable, Sendable {
        /// The invoking user's login name.
        public var user: String
        /// This host's name.
        public var hostname: String
        /// The current time, for `Date:`.
        public var now: Date
        /// A unique token for `Message-ID:` (a fresh message id).
        public var uniqueID: MessageID

        /// Creates a context.
        public init(user: String, hostname: String, now: Date, uniqueID: MessageID) {
            self.user = user
            self.hostname = hostname
            self.now = now
            self.uniqueID = uniqueID
        }
    }

    /// The envelope sender.
    public var sender: ReversePath
    /// The envelope recipients, each once, in order.
    public var recipients: [MailAddress]
    /// NOTIFY for every recipient (`-N`), nil when not given.
    public var notify: DSNNotify?
    /// RET (`-R`).
    public var ret: DSNReturn?
    /// ENVID (`-V`).
    public var envelopeID: String?
    /// The message with CRLF line endings.
    public var message: [UInt8]

    /// Builds the submission from parsed options and the bytes read from standard input.
    ///
    /// - Throws: `SubmissionError` (`.dataError`) for a bad address in a
    ///   header read with `-t`, or when there is no recipient at all.
    public init(options: SendmailOptions, input: [UInt8], context: Context) throws(SubmissionError) {
        var message = SubmittedMessage(input: input, ignoreDots: options.ignoreDots)
        var recipients = options.recipients
        if options.recipientsFromHeaders {
            for field in ["To", "Cc", "Bcc"] {
                for value in message.values(of: field) { recipients += try AddressList.parse(value) }
            }
            message.remove("Bcc")
        }
        var seen: Set<String> = []
        recipients = recipients.filter { seen.insert($0.description.lowercased()).inserted }
        guard !recipients.isEmpty else { throw SubmissionError(.dataError, "no recipients given") }

        let userAddress = MailAddress(localPart: context.user, domain: context.hostname)
        let sender = options.sender ?? .mailbox(userAddress)
        if !message.contains("From") {
            let mailbox = sender.address ?? userAddress
            message.append("From", options.fullName.map { "\(Self.displayName($0)) <\(mailbox)>" } ?? "\(mailbox)")
        }
        if !message.contains("Date") {
            message.append("Date", MessageHeaders.rfc5322Date(context.now))
        }
        if !message.contains("Message-ID") {
            message.append("Message-ID", MessageHeaders.messageID(context.uniqueID, host: context.hostname))
        }
        self.sender = sender
        self.recipients = recipients
        notify = options.notify
        ret = options.ret
        envelopeID = options.envelopeID
        self.message = message.bytes
    }

    /// A display name as an RFC 5322 phrase: as is when it is only atoms
    /// and spaces, otherwise quoted; line breaks become spaces.
    static func displayName(_ name: String) -> String {
        let flat = name.map { $0 == "\r" || $0 == "\n" ? " " : $0 }
        let specials: Set<Character> = ["(", ")", "<", ">", "[", "]", ":", ";", "@", "\\", ",", ".", "\""]
        guard flat.contains(where: { specials.contains($0) }) else { return String(flat) }
        var quoted = "\""
        for character in flat {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
