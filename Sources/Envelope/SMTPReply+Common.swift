// MARK: - Common replies (RFC 5321 §4.2.2, §4.2.3; codes from RFC 3463)

extension SMTPReply {
    /// `250 2.0.0 Ok`: generic success.
    public static func ok(_ text: String = "Ok") -> SMTPReply {
        SMTPReply(code: 250, status: .ok, text)
    }

    /// `221 2.0.0 Bye`: answer to `QUIT`; the server then closes.
    public static func closing(_ text: String = "Bye") -> SMTPReply {
        SMTPReply(code: 221, status: .ok, text)
    }

    /// `354 End data with <CR><LF>.<CR><LF>`: go ahead after `DATA`
    /// (an intermediate reply, so without an enhanced status; RFC 2034 §3).
    public static let startMailInput = SMTPReply(code: 354, "End data with <CR><LF>.<CR><LF>")

    /// `421 4.3.2 ... Service not available`: the server is closing the
    /// channel (shutdown, limits); sent before it closes.
    public static func serviceNotAvailable(_ text: String = "Service not available, closing transmission channel")
        -> SMTPReply
    {
        SMTPReply(code: 421, status: .systemNotAccepting, text)
    }

    /// `451 4.3.0 Local error in processing`: an internal error; always transient.
    public static func localError(_ text: String = "Local error in processing") -> SMTPReply {
        SMTPReply(code: 451, status: .temporarySystemFailure, text)
    }

    /// `452 4.3.1 Insufficient system storage`: the journal cannot take the message now.
    public static func insufficientStorage(_ text: String = "Insufficient system storage") -> SMTPReply {
        SMTPReply(code: 452, status: .systemStorageFull, text)
    }

    /// `500 5.5.2 Syntax error, command unrecognized`.
    public static func syntaxError(_ text: String = "Syntax error, command unrecognized") -> SMTPReply {
        SMTPReply(code: 500, status: .syntaxError, text)
    }

    /// `501 5.5.4 Syntax error in parameters or arguments`.
    public static func parameterSyntaxError(_ text: String = "Syntax error in parameters or arguments") -> SMTPReply {
        SMTPReply(code: 501, status: .invalidArguments, text)
    }

    /// `502 5.5.1 Command not implemented`.
    public static func notImplemented(_ text: String = "Command not implemented") -> SMTPReply {
        SMTPReply(code: 502, status: .invalidCommand, text)
    }

    /// `503 5.5.1 Bad sequence of commands`.
    public static func badSequence(_ text: String = "Bad sequence of commands") -> SMTPReply {
        SMTPReply(code: 503, status: .invalidCommand, text)
    }

    /// `550 5.7.1 Relay access denied`: no rule accepts this recipient (no open relay).
    public static func relayDenied(_ text: String = "Relay access denied") -> SMTPReply {
        SMTPReply(code: 550, status: .relayDenied, text)
    }
}
