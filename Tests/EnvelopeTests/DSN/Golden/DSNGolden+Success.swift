// Golden DSNs (LF stands for CRLF). Reports that tell of no failure: headers only.
// Regenerate only after reading the diff line by line.

extension DSNGolden {
    /// A delay warning: `GoldenCase.delayed`.
    static let delayed = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Delayed Mail (still being retried)
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

        Your message has not reached the recipients below yet. This is only a warning:
        the mail system is still trying, and you do not need to send the message
        again.

        <carol@example.net>
            Not delivered yet. The mail system will keep trying until Sun, 29 Nov 2026
            11:20:27 +0000.
            Status: 4.4.1 (No answer from host)
            The last attempt failed; the server mx.example.net replied:
                421 4.4.1 mx.example.net busy, try later

        The headers of your message are attached below.

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: message/delivery-status
        Content-Transfer-Encoding: 7bit

        Reporting-MTA: dns; mx.example.com
        Arrival-Date: Wed, 25 Nov 2026 11:20:27 +0000

        Final-Recipient: rfc822; carol@example.net
        Action: delayed
        Status: 4.4.1
        Remote-MTA: dns; mx.example.net
        Diagnostic-Code: smtp; 421 4.4.1 mx.example.net busy, try later
        Last-Attempt-Date: Wed, 25 Nov 2026 11:25:02 +0000
        Will-Retry-Until: Sun, 29 Nov 2026 11:20:27 +0000

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: text/rfc822-headers
        Content-Transfer-Encoding: 7bit

        Received: from client.example.com ([192.0.2.7])
        \tby mx.example.com with ESMTP id 06f3q2k1x8b0mzr4t7cd; Wed, 25 Nov 2026 11:20:27 +0000
        From: Alice <alice@example.com>
        To: Bob <bob@example.org>
        Subject: Lunch
        Date: Wed, 25 Nov 2026 11:20:00 +0000
        Message-ID: <lunch.42@client.example.com>

        --=_tern-dsn-0036260ndxvw02xdsbz0--

        """

    /// A success report for local delivery: `GoldenCase.delivered`.
    static let delivered = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Successful Mail Delivery Report
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

        Here is the delivery report you asked for.

        <bob@example.org>
            Delivered to the recipient's mailbox.

        The headers of your message are attached below.

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: message/delivery-status
        Content-Transfer-Encoding: 7bit

        Reporting-MTA: dns; mx.example.com
        Arrival-Date: Wed, 25 Nov 2026 11:20:27 +0000

        Final-Recipient: rfc822; bob@example.org
        Action: delivered
        Status: 2.0.0
        Last-Attempt-Date: Wed, 25 Nov 2026 11:25:02 +0000

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: text/rfc822-headers
        Content-Transfer-Encoding: 7bit

        Received: from client.example.com ([192.0.2.7])
        \tby mx.example.com with ESMTP id 06f3q2k1x8b0mzr4t7cd; Wed, 25 Nov 2026 11:20:27 +0000
        From: Alice <alice@example.com>
        To: Bob <bob@example.org>
        Subject: Lunch
        Date: Wed, 25 Nov 2026 11:20:00 +0000
        Message-ID: <lunch.42@client.example.com>

        --=_tern-dsn-0036260ndxvw02xdsbz0--

        """

    /// A relayed report: `GoldenCase.relayed`.
    static let relayed = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Mail Relayed
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

        Here is the delivery report you asked for.

        <bob@example.org>
            Passed on to the mail system at legacy.example.org, which does not report
            delivery, so you will get no further notice about this recipient.

        The headers of your message are attached below.

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: message/delivery-status
        Content-Transfer-Encoding: 7bit

        Reporting-MTA: dns; mx.example.com
        Arrival-Date: Wed, 25 Nov 2026 11:20:27 +0000

        Final-Recipient: rfc822; bob@example.org
        Action: relayed
        Status: 2.0.0
        Remote-MTA: dns; legacy.example.org
        Last-Attempt-Date: Wed, 25 Nov 2026 11:25:02 +0000

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: text/rfc822-headers
        Content-Transfer-Encoding: 7bit

        Received: from client.example.com ([192.0.2.7])
        \tby mx.example.com with ESMTP id 06f3q2k1x8b0mzr4t7cd; Wed, 25 Nov 2026 11:20:27 +0000
        From: Alice <alice@example.com>
        To: Bob <bob@example.org>
        Subject: Lunch
        Date: Wed, 25 Nov 2026 11:20:00 +0000
        Message-ID: <lunch.42@client.example.com>

        --=_tern-dsn-0036260ndxvw02xdsbz0--

        """

    /// An expanded report: `GoldenCase.expanded`.
    static let expanded = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Mail Expanded to Further Recipients
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

        Here is the delivery report you asked for.

        <bob@example.org>
            Delivered to an alias, which passed the message on to further recipients.
            You may get further notices about them.

        The headers of your message are attached below.

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: message/delivery-status
        Content-Transfer-Encoding: 7bit

        Reporting-MTA: dns; mx.example.com
        Arrival-Date: Wed, 25 Nov 2026 11:20:27 +0000

        Final-Recipient: rfc822; bob@example.org
        Action: expanded
        Status: 2.0.0
        Last-Attempt-Date: Wed, 25 Nov 2026 11:25:02 +0000

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: text/rfc822-headers
        Content-Transfer-Encoding: 7bit

        Received: from client.example.com ([192.0.2.7])
        \tby mx.example.com with ESMTP id 06f3q2k1x8b0mzr4t7cd; Wed, 25 Nov 2026 11:20:27 +0000
        From: Alice <alice@example.com>
        To: Bob <bob@example.org>
        Subject: Lunch
        Date: Wed, 25 Nov 2026 11:20:00 +0000
        Message-ID: <lunch.42@client.example.com>

        --=_tern-dsn-0036260ndxvw02xdsbz0--

        """
}
