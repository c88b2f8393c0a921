/// What a sendmail-compatible invocation does (its `-b` option).
public enum SendmailMode: Hashable, Sendable {
    /// `-bm` (the default): read a message on standard input and submit it.
    case submit
    /// `-bs`: speak SMTP on standard input and output.
    case smtp
    /// `-bp`: list the queue.
    case listQueue
}
