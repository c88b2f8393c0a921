// MARK: - The message (RFC 5322, RFC 2045/2046, RFC 6522)

extension DSNReport {
    /// One body part: its header fields, each ending in CRLF, and its body.
    struct Part {
        var header: String
        var body: [UInt8]

        /// Whether the body holds octets with the high bit set.
        var isEightBit: Bool { OriginalMessage.isEightBit(body) }

        /// `Content-Type` and `Content-Transfer-Encoding` for a body that
        /// travels as it is: `7bit` when ASCII, else `8bit` (RFC 2045 §6.2).
        init(contentType: String, body: [UInt8]) {
            let encoding = OriginalMessage.isEightBit(body) ? "8bit" : "7bit"
            self.init(
                header: MIMEText.field("Content-Type", contentType)
                    + MIMEText.field("Content-Transfer-Encoding", encoding),
                body: body
            )
        }

        init(header: String, body: [UInt8]) {
            self.header = header
            self.body = body
        }
    }

    /// The complete report: an RFC 5322 message with CRLF line endings, no
    /// line over 998 octets, ready to be sent with the null reverse path.
    ///
    /// The returned content is passed through as the stored octets, which
    /// are already CRLF text; content that would break those rules is not
    /// returned in the first place (see `DSNReturnedContent`).
    ///
    /// The multipart boundary is `=_tern-dsn-` and the report's message id,
    /// with `.1`, `.2`, … added until it occurs in no part (RFC 2046
    /// §5.1.1). `=_` never occurs in quoted-printable text, and the check
    /// covers remote replies and returned content too.
    public func message() -> [UInt8] {
        let parts = parts()
        let boundary = Self.boundary(base: "=_tern-dsn-" + messageID.description, avoiding: parts)
        var out = Array(topHeader(boundary: boundary).utf8)
        out.append(contentsOf: "\r\nThis is a delivery status notification in MIME format.\r\n".utf8)
        for part in parts {
            out.append(contentsOf: "\r\n--\(boundary)\r\n".utf8)
            out.append(contentsOf: part.header.utf8)
            out.append(contentsOf: "\r\n".utf8)
            out.append(contentsOf: part.body)
        }
        out.append(contentsOf: "\r\n--\(boundary)--\r\n".utf8)
        return out
    }

    /// The report's parts, in the order of RFC 6522 §3.
    func parts() -> [Part] {
        let status = deliveryStatusPart()
        let returned = returnedContentPart()
        let explanation = explanationPart(
            othersAreEightBit: status.isEightBit || returned?.isEightBit == true)
        return [explanation, status] + (returned.map { [$0] } ?? [])
    }

    /// Part 3: the returned message or header section, octets unchanged.
    private func returnedContentPart() -> Part? {
        let global = isInternational
        switch returnedContent.scope {
        case .message:
            return Part(contentType: global ? "message/global" : "message/rfc822", body: returnedContent.bytes)
        case .headers:
            return Part(
                contentType: global ? "message/global-headers" : "text/rfc822-headers", body: returnedContent.bytes)
        case .nothing:
            return nil
        }
    }

    /// The report's own header section (RFC 5322 §3.6, RFC 3834 §5,
    /// RFC 6522 §3), ending in CRLF.
    private func topHeader(boundary: String) -> String {
        let allowUTF8 = requiresSMTPUTF8
        let from = MIMEText.sanitized(fromAddress.wireForm, allowUTF8: allowUTF8)
        var header = MIMEText.field("From", Self.phrase(options.fromName) + " " + from)
        header += MIMEText.field("To", MIMEText.sanitized(recipient.wireForm, allowUTF8: allowUTF8))
        header += MIMEText.field("Subject", subject)
        header += MIMEText.field("Date", MessageHeaders.rfc5322Date(date, timeZone: options.timeZone))
        header += MIMEText.field(
            "Message-ID",
            MIMEText.sanitized(MessageHeaders.messageID(messageID, host: reportingMTA), allowUTF8: allowUTF8))
        if let originalMessageID {
            header += MIMEText.field("In-Reply-To", originalMessageID)
            header += MIMEText.field("References", originalMessageID)
        }
        header += MIMEText.field("Auto-Submitted", "auto-replied")
        header += MIMEText.field("MIME-Version", "1.0")
        header += MIMEText.field(
            "Content-Type", "multipart/report; report-type=delivery-status; boundary=\"\(boundary)\"")
        return header
    }

    /// A display name as an RFC 5322 §3.2.5 `phrase`: itself when made of
    /// atoms and spaces, else a quoted string; ASCII only.
    static func phrase(_ name: String) -> String {
        let name = MIMEText.sanitized(name, allowUTF8: false)
        let isAtoms = !name.isEmpty && name.utf8.allSatisfy { $0 == 0x20 || MailboxScanner.isAtext($0) }
        if isAtoms { return name }
        var quoted = "\""
        for character in name {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// `base`, or `base.1`, `base.2`, …: the first that occurs in no part.
    ///
    /// The candidates are distinct and the parts finite, so one is always found.
    static func boundary(base: String, avoiding parts: [Part]) -> String {
        var candidate = base
        var suffix = 0
        while parts.contains(where: { contains($0.body, Array(candidate.utf8)) || $0.header.contains(candidate) }) {
            suffix += 1
            candidate = base + "." + String(suffix)
        }
        return candidate
    }

    /// Whether `needle` (not empty) occurs in `haystack`.
    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var start = 0
        while let index = haystack[start...].firstIndex(of: first), index + needle.count <= haystack.count {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            start = index + 1
        }
        return false
    }
}
