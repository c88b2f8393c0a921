// MARK: - Part 1: the explanation for people (RFC 6522 §3, RFC 3464 §2)

extension DSNReport {
    /// The human-readable part: `text/plain; charset=utf-8`.
    ///
    /// `7bit` when the text is ASCII; when it is not, `8bit` if another
    /// part is 8-bit anyway (the report needs 8BITMIME regardless), else
    /// `quoted-printable`, so that UTF-8 in an address or a reply never
    /// makes an otherwise 7-bit report need 8BITMIME (RFC 2045 §6).
    func explanationPart(othersAreEightBit: Bool) -> Part {
        let lines = explanationLines()
        let text = lines.joined(separator: "\r\n") + "\r\n"
        let encoding: String
        let body: String
        if Self.isASCII(text) {
            (encoding, body) = ("7bit", text)
        } else if othersAreEightBit {
            (encoding, body) = ("8bit", text)
        } else {
            (encoding, body) = ("quoted-printable", QuotedPrintable.encode(lines) + "\r\n")
        }
        return Part(
            header: MIMEText.field("Content-Type", "text/plain; charset=utf-8")
                + MIMEText.field("Content-Transfer-Encoding", encoding),
            body: Array(body.utf8)
        )
    }

    /// The explanation's lines, without line ends: who is writing, a summary,
    /// one paragraph per recipient, and what is attached.
    ///
    /// A failed recipient's paragraph says that delivery failed and quotes
    /// the reply that caused it; a delayed one's says until when the mail
    /// system keeps trying. Our own words never call a failure "delivered"
    /// (only the remote server's quoted reply might).
    func explanationLines() -> [String] {
        var lines = paragraph("This is the mail system at host \(text(reportingMTA)).")
        lines.append("")
        lines += paragraph(summary)
        for report in recipients {
            lines.append("")
            lines += recipientParagraph(report)
        }
        if let note = returnedContentNote {
            lines.append("")
            lines += paragraph(note)
        }
        return lines
    }

    /// One sentence or two on the report as a whole.
    private var summary: String {
        let actions = Set(recipients.map(\.action))
        if actions == [.failed] {
            return "Your message could not reach the recipients below, and the mail system has given up on them."
        }
        if actions.contains(.failed) {
            return "Your message could not reach some of the recipients below. What happened to each is listed."
        }
        if actions == [.delayed] {
            return "Your message has not reached the recipients below yet. This is only a warning: "
                + "the mail system is still trying, and you do not need to send the message again."
        }
        if actions.allSatisfy(\.isSuccess) {
            return "Here is the delivery report you asked for."
        }
        return "Here is a report on the recipients of your message."
    }

    /// What happened to one recipient, with the status and the reply.
    private func recipientParagraph(_ report: DSNRecipientReport) -> [String] {
        let address = "<" + text(report.finalRecipient.description) + ">"
        let remote = report.remoteMTA.map(text)
        let what: String
        switch report.action {
        case .failed:
            what = "Delivery failed, and the mail system has given up."
        case .delayed:
            let until = report.willRetryUntil.map {
                "until " + MessageHeaders.rfc5322Date($0, timeZone: options.timeZone)
            } ?? "for a while"
            what = "Not delivered yet. The mail system will keep trying \(until)."
        case .delivered:
            what = "Delivered to the recipient's mailbox."
        case .relayed:
            let hop = remote.map { "the mail system at \($0)" } ?? "another mail system"
            what = "Passed on to \(hop), which does not report delivery, "
                + "so you will get no further notice about this recipient."
        case .expanded:
            what = "Delivered to an alias, which passed the message on to further recipients. "
                + "You may get further notices about them."
        }
        var lines = paragraph(address) + paragraph(what, indent: "    ")
        if !report.action.isSuccess {
            lines += paragraph("Status: \(report.status) (\(report.status.meaning))", indent: "    ")
        }
        if let diagnostic = report.diagnostic {
            let intro: String
            if let remote {
                intro = report.action == .delayed
                    ? "The last attempt failed; the server \(remote) replied:"
                    : "The server \(remote) replied:"
            } else {
                intro = "Reason:"
            }
            lines += paragraph(intro, indent: "    ")
            lines += paragraph(text(diagnostic.text), indent: "        ")
        }
        return lines
    }

    /// What the third part holds, and why it holds less when it does.
    private var returnedContentNote: String? {
        switch (returnedContent.scope, returnedContent.shortfall) {
        case (.message, _):
            return "Your message is attached below."
        case (.headers, nil):
            return "The headers of your message are attached below."
        case (.headers, .tooLarge(let limit)?):
            return "Your message is larger than \(limit) bytes, so only its headers are attached below."
        case (.headers, .notMailSafe?):
            return "Your message has lines that cannot be attached unchanged, "
                + "so only its headers are attached below."
        case (.nothing, .tooLarge(let limit)?):
            return "The headers of your message alone are larger than \(limit) bytes, so it is not attached."
        case (.nothing, .notMailSafe?):
            return "Your message has lines that cannot be attached unchanged, so it is not attached."
        case (.nothing, nil):
            return nil
        }
    }

    /// Foreign text made safe for a line of the explanation.
    private func text(_ text: String) -> String {
        MIMEText.sanitized(text, allowUTF8: true)
    }

    private func paragraph(_ text: String, indent: String = "") -> [String] {
        MIMEText.wrapped(text, indent: indent)
    }
}
