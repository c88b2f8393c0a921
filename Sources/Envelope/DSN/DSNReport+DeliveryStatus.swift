import Foundation

// MARK: - Part 2: the delivery status for programs (RFC 3464 §2.1–2.3, RFC 6533)
//
//     delivery-status-content = per-message-fields 1*( CRLF per-recipient-fields )
//
//     per-message-fields   = [ original-envelope-id-field CRLF ]
//                            reporting-mta-field CRLF
//                            [ dsn-gateway-field CRLF ]
//                            [ received-from-mta-field CRLF ]
//                            [ arrival-date-field CRLF ]
//                            *( extension-field CRLF )
//
//     per-recipient-fields = [ original-recipient-field CRLF ]
//                            final-recipient-field CRLF
//                            action-field CRLF
//                            status-field CRLF
//                            [ remote-mta-field CRLF ]
//                            [ diagnostic-code-field CRLF ]
//                            [ last-attempt-date-field CRLF ]
//                            [ final-log-id-field CRLF ]
//                            [ will-retry-until-field CRLF ]
//                            *( extension-field CRLF )

extension DSNReport {
    /// The machine-readable part: `message/delivery-status`, or
    /// `message/global-delivery-status` (RFC 6533) for an international report.
    func deliveryStatusPart() -> Part {
        let global = isInternational
        return Part(
            contentType: global ? "message/global-delivery-status" : "message/delivery-status",
            body: Array(deliveryStatusFields().utf8)
        )
    }

    /// The per-message fields and the per-recipient groups, each group after
    /// an empty line, every line ending in CRLF and folded within 78 octets
    /// where the words allow.
    ///
    /// Every value that comes from outside (names, addresses, replies) is
    /// sanitized first: a CR, LF or other control becomes a space, so a
    /// hostile reply cannot add fields or groups. Outside an international
    /// report every non-ASCII character becomes `?`, keeping the part
    /// 7-bit as RFC 3464 §2.1 requires; inside one, UTF-8 stays (RFC 6533).
    ///
    /// - `Original-Envelope-Id`: the `ENVID` as the sender meant it, that is
    ///   xtext-decoded: RFC 3461 §6.3 (a) has the DSN carry the envelope
    ///   identifier itself, and RFC 3464 §2.2.1 wants its case and spelling
    ///   kept. `ENVID=QQ314159+2B1` appears as `QQ314159+1`.
    /// - `Original-Recipient`: present only with `ORCPT` (RFC 3461 §6.3 (d)),
    ///   its address type and the address xtext-decoded likewise
    ///   (`ORCPT=rfc822;bob+2Bx@example.org` gives `rfc822; bob+x@example.org`).
    ///   A `utf-8` address is written in its 7-bit `utf-8-addr-xtext` form
    ///   (`j\x{F6}rg@example.org`) in `message/delivery-status`, and as
    ///   UTF-8 in `message/global-delivery-status` (RFC 6533 §3).
    /// - `Final-Recipient`: `rfc822; addr`, or `utf-8; addr` when the
    ///   address is not ASCII (RFC 6533 §3).
    /// - `Will-Retry-Until`: for `delayed` recipients only (RFC 3464 §2.3.9).
    func deliveryStatusFields() -> String {
        let global = isInternational
        var out = ""
        if let envelopeID = envelope.envelopeID {
            out += MIMEText.field("Original-Envelope-Id", MIMEText.sanitized(envelopeID, allowUTF8: false))
        }
        out += MIMEText.field("Reporting-MTA", "dns; " + MIMEText.sanitized(reportingMTA, allowUTF8: global))
        out += MIMEText.field("Arrival-Date", dateText(envelope.arrival))
        for report in recipients {
            out += "\r\n"
            if let original = report.originalRecipient {
                out += MIMEText.field("Original-Recipient", originalRecipientValue(original, global: global))
            }
            let final = report.finalRecipient
            let type = final.requiresSMTPUTF8 ? "utf-8" : "rfc822"
            out += MIMEText.field(
                "Final-Recipient", type + "; " + MIMEText.sanitized(final.description, allowUTF8: global))
            out += MIMEText.field("Action", report.action.rawValue)
            out += MIMEText.field("Status", report.status.description)
            if let remote = report.remoteMTA {
                out += MIMEText.field("Remote-MTA", "dns; " + MIMEText.sanitized(remote, allowUTF8: global))
            }
            if let diagnostic = report.diagnostic {
                out += MIMEText.field(
                    "Diagnostic-Code",
                    Self.atom(diagnostic.type) + "; " + MIMEText.sanitized(diagnostic.text, allowUTF8: global))
            }
            if let lastAttempt = report.lastAttempt {
                out += MIMEText.field("Last-Attempt-Date", dateText(lastAttempt))
            }
            if report.action == .delayed, let until = report.willRetryUntil {
                out += MIMEText.field("Will-Retry-Until", dateText(until))
            }
        }
        return out
    }

    /// `addr-type "; " address`, as described for `deliveryStatusFields()`.
    private func originalRecipientValue(_ original: OriginalRecipient, global: Bool) -> String {
        let type = Self.atom(original.addressType)
        guard type.lowercased() == "utf-8", !global else {
            return type + "; " + MIMEText.sanitized(original.address, allowUTF8: global)
        }
        // `parameterValue` is `utf-8;` and the utf-8-addr-xtext form, which is printable ASCII.
        let encoded = original.parameterValue.drop { $0 != ";" }.dropFirst()
        return type + "; " + MIMEText.sanitized(String(encoded), allowUTF8: false)
    }

    private func dateText(_ date: Date) -> String {
        MessageHeaders.rfc5322Date(date, timeZone: options.timeZone)
    }

    /// `text` as an RFC 5322 atom (`atext` only); `unknown` if nothing is left.
    static func atom(_ text: String) -> String {
        let atom = String(decoding: text.utf8.filter(MailboxScanner.isAtext), as: UTF8.self)
        return atom.isEmpty ? "unknown" : atom
    }
}
