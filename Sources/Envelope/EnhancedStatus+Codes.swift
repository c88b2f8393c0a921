// MARK: - Named codes and meanings (RFC 3463 §3, the IANA "SMTP Enhanced Status Codes" registry, RFC 5248)

extension EnhancedStatus {
    // MARK: Success

    /// `2.0.0` Other undefined status: a generic success (`250 2.0.0 Ok`).
    public static let ok = EnhancedStatus(2, 0, 0)
    /// `2.1.0` Other address status: the sender is accepted (`MAIL FROM`).
    public static let senderOK = EnhancedStatus(2, 1, 0)
    /// `2.1.5` Destination address valid: the recipient is accepted (`RCPT TO`).
    public static let recipientOK = EnhancedStatus(2, 1, 5)
    /// `2.6.0` Other or undefined media status: the message content was accepted.
    public static let messageAccepted = EnhancedStatus(2, 6, 0)

    // MARK: Persistent transient failure

    /// `4.2.2` Mailbox full, for now.
    public static let mailboxFullTransient = EnhancedStatus(4, 2, 2)
    /// `4.3.0` Other or undefined mail system status: a local error, try again.
    public static let temporarySystemFailure = EnhancedStatus(4, 3, 0)
    /// `4.3.1` Mail system full: the journal or disk has no room (`452 4.3.1`).
    public static let systemStorageFull = EnhancedStatus(4, 3, 1)
    /// `4.3.2` System not accepting network messages: shutting down or paused (`421 4.3.2`).
    public static let systemNotAccepting = EnhancedStatus(4, 3, 2)
    /// `4.4.1` No answer from host: connection refused or timed out.
    public static let noAnswerFromHost = EnhancedStatus(4, 4, 1)
    /// `4.4.2` Bad connection: dropped during the transaction.
    public static let badConnection = EnhancedStatus(4, 4, 2)
    /// `4.4.3` Directory server failure: DNS could not be asked (SERVFAIL, timeout).
    public static let directoryServerFailure = EnhancedStatus(4, 4, 3)
    /// `4.4.5` Mail system congestion: rate or connection limits.
    public static let congestion = EnhancedStatus(4, 4, 5)
    /// `4.4.7` Delivery time expired: the recipient outlived the queue's `expire`.
    public static let deliveryTimeExpired = EnhancedStatus(4, 4, 7)
    /// `4.5.3` Too many recipients for one transaction (`452 4.5.3`).
    public static let tooManyRecipients = EnhancedStatus(4, 5, 3)
    /// `4.7.0` Other or undefined security status, transient (e.g. TLS not available).
    public static let temporarySecurityFailure = EnhancedStatus(4, 7, 0)

    // MARK: Permanent failure

    /// `5.0.0` Other undefined status: a generic permanent failure.
    public static let permanentFailure = EnhancedStatus(5, 0, 0)
    /// `5.1.1` Bad destination mailbox address: no such user.
    public static let mailboxUnknown = EnhancedStatus(5, 1, 1)
    /// `5.1.2` Bad destination system address: no such domain (NXDOMAIN).
    public static let domainUnknown = EnhancedStatus(5, 1, 2)
    /// `5.1.3` Bad destination mailbox address syntax.
    public static let badRecipientAddressSyntax = EnhancedStatus(5, 1, 3)
    /// `5.1.7` Bad sender's mailbox address syntax.
    public static let badSenderAddressSyntax = EnhancedStatus(5, 1, 7)
    /// `5.1.10` Recipient address has null MX (RFC 7505 §4.1).
    public static let recipientNullMX = EnhancedStatus(5, 1, 10)
    /// `5.2.2` Mailbox full.
    public static let mailboxFull = EnhancedStatus(5, 2, 2)
    /// `5.2.3` Message length exceeds administrative limit (per mailbox).
    public static let messageLengthExceedsLimit = EnhancedStatus(5, 2, 3)
    /// `5.3.4` Message too big for system (`552 5.3.4`, SIZE, RFC 1870).
    public static let messageTooBig = EnhancedStatus(5, 3, 4)
    /// `5.4.4` Unable to route: no usable MX or address.
    public static let unableToRoute = EnhancedStatus(5, 4, 4)
    /// `5.4.6` Routing loop detected: too many `Received` headers or an alias loop.
    public static let routingLoop = EnhancedStatus(5, 4, 6)
    /// `5.5.1` Invalid command: unknown verb or out of sequence.
    public static let invalidCommand = EnhancedStatus(5, 5, 1)
    /// `5.5.2` Syntax error in a command.
    public static let syntaxError = EnhancedStatus(5, 5, 2)
    /// `5.5.3` Too many recipients, permanently.
    public static let recipientLimitExceeded = EnhancedStatus(5, 5, 3)
    /// `5.5.4` Invalid command arguments: bad or unknown parameters (`501 5.5.4`).
    public static let invalidArguments = EnhancedStatus(5, 5, 4)
    /// `5.6.7` Non-ASCII addresses not permitted for that sender/recipient (RFC 6531 §3.7.4).
    public static let nonASCIIAddressNotPermitted = EnhancedStatus(5, 6, 7)
    /// `5.7.0` Other or undefined security status (e.g. `530 5.7.0 Must issue a STARTTLS command first`).
    public static let securityFailure = EnhancedStatus(5, 7, 0)
    /// `5.7.1` Delivery not authorized, message refused: relaying denied.
    public static let relayDenied = EnhancedStatus(5, 7, 1)
    /// `5.7.8` Authentication credentials invalid (`535 5.7.8`, RFC 4954 §6).
    public static let authenticationFailed = EnhancedStatus(5, 7, 8)
    /// `5.7.9` Authentication mechanism is too weak (`534 5.7.9`, RFC 4954 §6).
    public static let authenticationMechanismTooWeak = EnhancedStatus(5, 7, 9)
    /// `5.7.11` Encryption required for requested authentication mechanism (`538 5.7.11`, RFC 4954 §6).
    public static let encryptionRequiredForAuthentication = EnhancedStatus(5, 7, 11)
    /// `5.7.27` Sender address has null MX (RFC 7505 §4.2).
    public static let senderNullMX = EnhancedStatus(5, 7, 27)

    // MARK: Meaning

    /// The registered description of the code's subject and detail, which
    /// does not depend on the class: `Mailbox full` for both `4.2.2` and
    /// `5.2.2`. An unregistered detail falls back to its subject's
    /// `X.Y.0` text, an unregistered subject to `X.0.0`.
    public var meaning: String {
        Self.meanings[Self.key(subject, detail)]
            ?? Self.meanings[Self.key(subject, 0)]
            ?? Self.meanings[Self.key(0, 0)]
            ?? ""
    }

    private static func key(_ subject: UInt16, _ detail: UInt16) -> UInt32 {
        UInt32(subject) << 16 | UInt32(detail)
    }

    /// The one table: `X.subject.detail` → description, from RFC 3463 §3.1–3.9
    /// and the codes later registered in its IANA registry.
    private static let meanings: [UInt32: String] = {
        let table: [(UInt16, UInt16, String)] = [
            (0, 0, "Other undefined Status"),
            (1, 0, "Other address status"),
            (1, 1, "Bad destination mailbox address"),
            (1, 2, "Bad destination system address"),
            (1, 3, "Bad destination mailbox address syntax"),
            (1, 4, "Destination mailbox address ambiguous"),
            (1, 5, "Destination address valid"),
            (1, 6, "Destination mailbox has moved, No forwarding address"),
            (1, 7, "Bad sender's mailbox address syntax"),
            (1, 8, "Bad sender's system address"),
            (1, 9, "Message relayed to non-compliant mailer"),
            (1, 10, "Recipient address has null MX"),
            (2, 0, "Other or undefined mailbox status"),
            (2, 1, "Mailbox disabled, not accepting messages"),
            (2, 2, "Mailbox full"),
            (2, 3, "Message length exceeds administrative limit"),
            (2, 4, "Mailing list expansion problem"),
            (3, 0, "Other or undefined mail system status"),
            (3, 1, "Mail system full"),
            (3, 2, "System not accepting network messages"),
            (3, 3, "System not capable of selected features"),
            (3, 4, "Message too big for system"),
            (3, 5, "System incorrectly configured"),
            (3, 6, "Requested priority was changed"),
            (4, 0, "Other or undefined network or routing status"),
            (4, 1, "No answer from host"),
            (4, 2, "Bad connection"),
            (4, 3, "Directory server failure"),
            (4, 4, "Unable to route"),
            (4, 5, "Mail system congestion"),
            (4, 6, "Routing loop detected"),
            (4, 7, "Delivery time expired"),
            (5, 0, "Other or undefined protocol status"),
            (5, 1, "Invalid command"),
            (5, 2, "Syntax error"),
            (5, 3, "Too many recipients"),
            (5, 4, "Invalid command arguments"),
            (5, 5, "Wrong protocol version"),
            (5, 6, "Authentication Exchange line is too long"),
            (6, 0, "Other or undefined media error"),
            (6, 1, "Media not supported"),
            (6, 2, "Conversion required and prohibited"),
            (6, 3, "Conversion required but not supported"),
            (6, 4, "Conversion with loss performed"),
            (6, 5, "Conversion Failed"),
            (6, 6, "Message content not available"),
            (6, 7, "Non-ASCII addresses not permitted for that sender/recipient"),
            (6, 8, "UTF-8 string reply is required, but not permitted by the SMTP client"),
            (
                6, 9,
                "UTF-8 header message cannot be transferred to one or more recipients, so the message must be rejected"
            ),
            (7, 0, "Other or undefined security status"),
            (7, 1, "Delivery not authorized, message refused"),
            (7, 2, "Mailing list expansion prohibited"),
            (7, 3, "Security conversion required but not possible"),
            (7, 4, "Security features not supported"),
            (7, 5, "Cryptographic failure"),
            (7, 6, "Cryptographic algorithm not supported"),
            (7, 7, "Message integrity failure"),
            (7, 8, "Authentication credentials invalid"),
            (7, 9, "Authentication mechanism is too weak"),
            (7, 10, "Encryption Needed"),
            (7, 11, "Encryption required for requested authentication mechanism"),
            (7, 12, "A password transition is needed"),
            (7, 13, "User Account Disabled"),
            (7, 14, "Trust relationship required"),
            (7, 15, "Priority Level is too low"),
            (7, 16, "Message is too big for the specified priority"),
            (7, 17, "Mailbox owner has changed"),
            (7, 18, "Domain owner has changed"),
            (7, 19, "RRVS test cannot be completed"),
            (7, 20, "No passing DKIM signature found"),
            (7, 21, "No acceptable DKIM signature found"),
            (7, 22, "No valid author-matched DKIM signature found"),
            (7, 23, "SPF validation failed"),
            (7, 24, "SPF validation error"),
            (7, 25, "Reverse DNS validation failed"),
            (7, 26, "Multiple authentication checks failed"),
            (7, 27, "Sender address has null MX"),
            (7, 28, "Mail flood detected"),
            (7, 29, "ARC validation failure"),
            (7, 30, "REQUIRETLS support required"),
        ]
        var meanings: [UInt32: String] = [:]
        for (subject, detail, text) in table {
            meanings[key(subject, detail)] = text
        }
        return meanings
    }()
}
