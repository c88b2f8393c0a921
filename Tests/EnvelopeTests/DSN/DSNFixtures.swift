import Envelope
import Foundation

/// Shared inputs for the DSN tests: fixed dates, ids and messages, so every
/// generated report is the same octets every time.
enum DSNFixtures {
    static let utc = TimeZone(secondsFromGMT: 0) ?? .current
    /// Wed, 25 Nov 2026 11:20:27 +0000.
    static let arrival = Date(timeIntervalSince1970: 1_795_605_627)
    static let lastAttempt = arrival.addingTimeInterval(275)
    static let reportDate = arrival.addingTimeInterval(300)
    static let expiry = arrival.addingTimeInterval(4 * 86_400)
    static let originalID = MessageID(time: 1_795_605_627_000_000, salt: 0xDEAD_BEEF)
    static let reportID = MessageID(time: 1_795_605_927_000_000, salt: 0x0BAD_CAFE)
    static let reportingMTA = "mx.example.com"
    static let options = DSNOptions(timeZone: utc)

    static let alice = MailAddress(localPart: "alice", domain: "example.com")
    static let bob = MailAddress(localPart: "bob", domain: "example.org")
    static let carol = MailAddress(localPart: "carol", domain: "example.net")

    /// A plain ASCII message, CRLF throughout.
    static let message = crlf(
        """
        Received: from client.example.com ([192.0.2.7])
        \tby mx.example.com with ESMTP id 06f3q2k1x8b0mzr4t7cd; Wed, 25 Nov 2026 11:20:27 +0000
        From: Alice <alice@example.com>
        To: Bob <bob@example.org>
        Subject: Lunch
        Date: Wed, 25 Nov 2026 11:20:00 +0000
        Message-ID: <lunch.42@client.example.com>

        Shall we have lunch on Friday?
        Alice

        """)

    static func envelope(
        sender: ReversePath = .mailbox(alice),
        envelopeID: String? = nil,
        ret: DSNReturn? = nil,
        flags: Envelope.Flags = []
    ) -> Envelope {
        Envelope(
            id: originalID, sender: sender, envelopeID: envelopeID, ret: ret, size: message.count,
            arrival: arrival, expiry: expiry, clientAddress: "192.0.2.7", heloName: "client.example.com",
            flags: flags)
    }

    static func failed(
        _ address: MailAddress = bob,
        orcpt: OriginalRecipient? = nil,
        reply: String = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
    ) -> DSNRecipientReport {
        DSNRecipientReport(
            finalRecipient: address, originalRecipient: orcpt, action: .failed, status: .mailboxUnknown,
            remoteMTA: "mx.example.org", diagnostic: .smtp(reply), lastAttempt: lastAttempt)
    }

    static func delayed(_ address: MailAddress = carol) -> DSNRecipientReport {
        DSNRecipientReport(
            finalRecipient: address, action: .delayed, status: .noAnswerFromHost,
            remoteMTA: "mx.example.net", diagnostic: .smtp("421 4.4.1 mx.example.net busy, try later"),
            lastAttempt: lastAttempt, willRetryUntil: expiry)
    }

    static func succeeded(_ action: DSNAction, _ address: MailAddress = bob) -> DSNRecipientReport {
        DSNRecipientReport(
            finalRecipient: address, action: action, status: .ok,
            remoteMTA: action == .relayed ? "legacy.example.org" : nil, lastAttempt: lastAttempt)
    }

    static func report(
        envelope: Envelope = envelope(),
        recipients: [DSNRecipientReport] = [failed()],
        original: [UInt8]? = message,
        options: DSNOptions = options
    ) -> DSNReport? {
        DSNReport(
            reportingMTA: reportingMTA, envelope: envelope, recipients: recipients, originalMessage: original,
            messageID: reportID, date: reportDate, options: options)
    }

    /// `text` with every LF made CRLF.
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }
}

extension DSNFixtures {
    static let jorg = MailAddress(localPart: "jörg", domain: "example.org")

    /// A message sent with SMTPUTF8: UTF-8 in its header and body.
    static let internationalMessage = crlf(
        """
        From: Älice <alice@example.com>
        To: Jörg <jörg@example.org>
        Subject: Grüße
        Date: Wed, 25 Nov 2026 11:20:00 +0000
        Message-ID: <grüße.7@client.example.com>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        Schöne Grüße aus München!

        """)

    /// A failure for a non-ASCII recipient of an SMTPUTF8 message.
    static var internationalReport: DSNReport? {
        let failure = DSNRecipientReport(
            finalRecipient: jorg,
            originalRecipient: OriginalRecipient(addressType: "utf-8", address: "jörg@example.org"),
            action: .failed, status: .mailboxUnknown, remoteMTA: "mx.example.org",
            diagnostic: .smtp("550 5.1.1 <jörg@example.org>: Empfänger unbekannt"), lastAttempt: lastAttempt)
        return report(
            envelope: envelope(ret: .full, flags: [.smtpUTF8, .eightBitMIME]),
            recipients: [failure], original: internationalMessage)
    }
}
