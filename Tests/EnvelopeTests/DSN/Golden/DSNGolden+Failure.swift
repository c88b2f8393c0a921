// Golden DSNs (LF stands for CRLF). Failure reports: the RET modes and the size limit.
// Regenerate only after reading the diff line by line.

extension DSNGolden {
    /// RET=FULL with ENVID and ORCPT: `GoldenCase.failedFull`.
    static let failedFull = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Undelivered Mail Returned to Sender
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

        Your message could not reach the recipients below, and the mail system has
        given up on them.

        <bob@example.org>
            Delivery failed, and the mail system has given up.
            Status: 5.1.1 (Bad destination mailbox address)
            The server mx.example.org replied:
                550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown

        Your message is attached below.

        --=_tern-dsn-0036260ndxvw02xdsbz0
        Content-Type: message/delivery-status
        Content-Transfer-Encoding: 7bit

        Original-Envelope-Id: QQ314159+1
        Reporting-MTA: dns; mx.example.com
        Arrival-Date: Wed, 25 Nov 2026 11:20:27 +0000

        Original-Recipient: rfc822; Bob+Lunch@example.org
        Final-Recipient: rfc822; bob@example.org
        Action: failed
        Status: 5.1.1
        Remote-MTA: dns; mx.example.org
        Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address
         rejected: User unknown
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

    /// RET=HDRS: `GoldenCase.failedHeaders`.
    static let failedHeaders = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Undelivered Mail Returned to Sender
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

        Your message could not reach the recipients below, and the mail system has
        given up on them.

        <bob@example.org>
            Delivery failed, and the mail system has given up.
            Status: 5.1.1 (Bad destination mailbox address)
            The server mx.example.org replied:
                550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown

        The headers of your message are attached below.

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

    /// No RET, site default headers: `GoldenCase.failedDefaultHeaders`.
    static let failedDefaultHeaders = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Undelivered Mail Returned to Sender
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

        Your message could not reach the recipients below, and the mail system has
        given up on them.

        <bob@example.org>
            Delivery failed, and the mail system has given up.
            Status: 5.1.1 (Bad destination mailbox address)
            The server mx.example.org replied:
                550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown

        The headers of your message are attached below.

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

    /// RET=FULL over the size limit: `GoldenCase.failedTooLarge`.
    static let failedTooLarge = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
        To: <alice@example.com>
        Subject: Undelivered Mail Returned to Sender
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

        Your message could not reach the recipients below, and the mail system has
        given up on them.

        <bob@example.org>
            Delivery failed, and the mail system has given up.
            Status: 5.1.1 (Bad destination mailbox address)
            The server mx.example.org replied:
                550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown

        Your message is larger than 300 bytes, so only its headers are attached below.

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
