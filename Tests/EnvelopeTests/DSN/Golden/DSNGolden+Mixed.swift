// Golden DSNs (LF stands for CRLF). Several actions in one report, and an internationalized report.
// Regenerate only after reading the diff line by line.

extension DSNGolden {
    /// Failed, delayed and delivered in one report: `GoldenCase.mixed`.
    static let mixed = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Undelivered Mail Returned to Sender (Partial)
        Date: Wed, 25 Nov 2026 11:25:27 +0000
        Message-ID: <0036260ndxvw02xdsbz0@mx.example.com>
        In-Reply-To: <lunch.42@client.example.com>
        References: <lunch.42@client.example.com>
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status;
         boundary="=_tern-dsn-0036260ndxvw02xdsbz0"

        This is a delivery status notification in MIME format.

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 7bit

        This is the mail system at host mx.example.com.

        Your message could not reach some of the recipients below. What happened to
        each is listed.

        <bob@example.org>
            Delivery failed, and the mail system has given up.
            Status: 5.1.1 (Bad destination mailbox address)
            The server mx.example.org replied:
                550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown

        <carol@example.net>
            Not delivered yet. The mail system will keep trying until Sun, 29 Nov 2026
            11:20:27 +0000.
            Status: 4.4.1 (No answer from host)
            The last attempt failed; the server mx.example.net replied:
                421 4.4.1 mx.example.net busy, try later

        <alice@example.com>
            Delivered to the recipient's mailbox.

        Your message is attached below.

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: message/delivery-status
        Content-Transfer-Encoding: 7bit

        Reporting-MTA: dns; mx.example.com
        Arrival-Date: Wed, 25 Nov 2026 11:20:27 +0000

        Final-Recipient: rfc822; bob@example.org
        Action: failed
        Status: 5.1.1
        Remote-MTA: dns; mx.example.org
        Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address
         rejected: User unknown
        Last-Attempt-Date: Wed, 25 Nov 2026 11:25:02 +0000

        Final-Recipient: rfc822; carol@example.net
        Action: delayed
        Status: 4.4.1
        Remote-MTA: dns; mx.example.net
        Diagnostic-Code: smtp; 421 4.4.1 mx.example.net busy, try later
        Last-Attempt-Date: Wed, 25 Nov 2026 11:25:02 +0000
        Will-Retry-Until: Sun, 29 Nov 2026 11:20:27 +0000

        Final-Recipient: rfc822; alice@example.com
        Action: delivered
        Status: 2.0.0
        Last-Attempt-Date: Wed, 25 Nov 2026 11:25:02 +0000

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: message/rfc822
        Content-Transfer-Encoding: 7bit

        Received: from client.example.com ([192.0.2.7])
        \tby mx.example.com with ESMTP id 06f3q2k1x8b0mzr4t7cd; Wed, 25 Nov 2026 11:20:27 +0000
        From: Alice <alice@example.com>
        To: Bob <bob@example.org>
        Subject: Lunch
        Date: Wed, 25 Nov 2026 11:20:00 +0000
        Message-ID: <lunch.42@client.example.com>

        Shall we have lunch on Friday?
        Alice

        --=_tern-dsn-0036260ndxvw02xdsbz0--

        """

    /// An SMTPUTF8 message's failure: `GoldenCase.international`.
    static let international = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Undelivered Mail Returned to Sender
        Date: Wed, 25 Nov 2026 11:25:27 +0000
        Message-ID: <0036260ndxvw02xdsbz0@mx.example.com>
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status;
         boundary="=_tern-dsn-0036260ndxvw02xdsbz0"

        This is a delivery status notification in MIME format.

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        This is the mail system at host mx.example.com.

        Your message could not reach the recipients below, and the mail system has
        given up on them.

        <jörg@example.org>
            Delivery failed, and the mail system has given up.
            Status: 5.1.1 (Bad destination mailbox address)
            The server mx.example.org replied:
                550 5.1.1 <jörg@example.org>: Empfänger unbekannt

        Your message is attached below.

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: message/global-delivery-status
        Content-Transfer-Encoding: 8bit

        Reporting-MTA: dns; mx.example.com
        Arrival-Date: Wed, 25 Nov 2026 11:20:27 +0000

        Original-Recipient: utf-8; jörg@example.org
        Final-Recipient: utf-8; jörg@example.org
        Action: failed
        Status: 5.1.1
        Remote-MTA: dns; mx.example.org
        Diagnostic-Code: smtp; 550 5.1.1 <jörg@example.org>: Empfänger unbekannt
        Last-Attempt-Date: Wed, 25 Nov 2026 11:25:02 +0000

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: message/global
        Content-Transfer-Encoding: 8bit

        From: Älice <alice@example.com>
        To: Jörg <jörg@example.org>
        Subject: Grüße
        Date: Wed, 25 Nov 2026 11:20:00 +0000
        Message-ID: <grüße.7@client.example.com>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        Schöne Grüße aus München!

        --=_tern-dsn-0036260ndxvw02xdsbz0--

        """
}
