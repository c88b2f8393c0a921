/// The command line of the sendmail-compatible enqueuer, parsed: what to do,
/// and for a submission, the envelope and how to read the message.
///
///     tern-sendmail -t -i -f alice@example.org -F "Alice Example" \
///         -N success,failure -R hdrs -V order-42 bob@example.com
public struct SendmailOptions: Hashable, Sendable {
    /// `-b`: submit (default), SMTP on stdin/stdout, or list the queue.
    public var mode: SendmailMode = .submit
    /// `-f ADDR` / `-r ADDR`: the envelope sender; nil means the invoking user.
    public var sender: ReversePath?
    /// `-F NAME`: the full name for a `From:` header added when missing.
    public var fullName: String?
    /// `-t`: take recipients from the `To:`, `Cc:` and `Bcc:` headers (and drop `Bcc:`).
    public var recipientsFromHeaders = false
    /// `-i` / `-oi`: a line with a single dot does not end the message.
    public var ignoreDots = false
    /// `-N`: the DSN NOTIFY for every recipient; nil leaves it to the server.
    public var notify: DSNNotify?
    /// `-R full|hdrs`: the DSN RET.
    public var ret: DSNReturn?
    /// `-V ENVID`: the DSN envelope identifier.
    public var envelopeID: String?
    /// `-oQ DIR`: write straight into the journal in this directory (daemon stopped).
    public var queueDirectory: String?
    /// `-v`: report the queue id of the submitted message on standard output.
    public var verbose = false
    /// `--socket PATH`: the daemon's control socket; nil for the default.
    public var controlSocket: String?
    /// Recipients named on the command line.
    public var recipients: [MailAddress] = []

    /// Options with every default.
    public init() {}
}
