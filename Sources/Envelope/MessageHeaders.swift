import Foundation

/// The header fields an MTA adds to a message: `Date` (RFC 5322 §3.3),
/// `Received` (RFC 5321 §4.4) and `Message-ID` (RFC 5322 §3.6.4).
///
///     Received: from client.example (mail.client.example [192.0.2.7])
///     	by mx.example.com with ESMTPS id 06f3q2k1x8b0mzr4t7cd
///     	for <bob@example.com>; Wed, 25 Nov 2026 11:20:27 +0000
public enum MessageHeaders {
    /// The longest header line this module writes, CRLF excluded (RFC 5322 §2.1.1 SHOULD).
    public static let foldWidth = 78

    // MARK: - Date (RFC 5322 §3.3)

    /// A date-time as RFC 5322 §3.3 writes it: `Wed, 25 Nov 2026 11:20:27 +0000`.
    ///
    /// Day and month names are always English and the calendar is always
    /// Gregorian, whatever the process's locale. The day of the month has no
    /// leading zero (`Tue, 1 Jul 2003 10:52:37 +0200`, as in RFC 5322
    /// Appendix A.1.2); fractions of a second are dropped and the zone offset
    /// is `timeZone`'s at that instant, truncated to whole minutes.
    public static func rfc5322Date(_ date: Date, timeZone: TimeZone = .current) -> String {
        // Plain arithmetic on the proleptic Gregorian calendar: every message's
        // Received header carries one, and Calendar's component split costs
        // more than the rest of the header together.
        let offset = timeZone.secondsFromGMT(for: date)
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        let weekday = weekdays[((days % 7) + 11) % 7]  // 1970-01-01 was a Thursday
        let minutes = abs(offset / 60)
        var text = weekday + ", " + String(day) + " " + months[month - 1] + " " + padded(year, 4) + " "
        text += padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay / 60 % 60, 2) + ":" + padded(secondOfDay % 60, 2)
        text += (offset < 0 ? " -" : " +") + padded(minutes / 60, 2) + padded(minutes % 60, 2)
        return text
    }

    /// Year, month (1–12) and day of the month of a day counted from
    /// 1970-01-01 in the proleptic Gregorian calendar (the era-based
    /// conversion of Howard Hinnant's "chrono-compatible low-level date
    /// algorithms", public domain arithmetic).
    private static func civilDate(daysSince1970: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = daysSince1970 + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 = March
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    // MARK: - Received (RFC 5321 §4.4)

    /// The `with` clause's protocol name, registered by RFC 3848 and RFC 6531 §3.7.3.
    ///
    /// | EHLO | TLS | AUTH | UTF-8 | name         |
    /// |------|-----|------|-------|--------------|
    /// | no   |     |      |       | `SMTP`       |
    /// | yes  | no  | no   | no    | `ESMTP`      |
    /// | yes  | yes | no   | no    | `ESMTPS`     |
    /// | yes  | no  | yes  | no    | `ESMTPA`     |
    /// | yes  | yes | yes  | no    | `ESMTPSA`    |
    /// | yes  | …   | …    | yes   | `UTF8SMTP`, `UTF8SMTPS`, `UTF8SMTPA`, `UTF8SMTPSA` |
    ///
    /// STARTTLS, AUTH and SMTPUTF8 need `EHLO`, so after `HELO` the name is
    /// always `SMTP`.
    public struct ReceivedProtocol: Hashable, Sendable, CustomStringConvertible {
        /// The client greeted with `EHLO` rather than `HELO`.
        public var extended: Bool
        /// The session ran over TLS (STARTTLS or implicit TLS).
        public var tls: Bool
        /// The client authenticated (`AUTH`).
        public var authenticated: Bool
        /// The transaction used `SMTPUTF8`.
        public var utf8: Bool

        /// A protocol; the defaults describe plain ESMTP.
        public init(extended: Bool = true, tls: Bool = false, authenticated: Bool = false, utf8: Bool = false) {
            self.extended = extended
            self.tls = tls
            self.authenticated = authenticated
            self.utf8 = utf8
        }

        /// The registered name, e.g. `ESMTPSA`.
        public var description: String {
            guard extended else { return "SMTP" }
            return (utf8 ? "UTF8SMTP" : "ESMTP") + (tls ? "S" : "") + (authenticated ? "A" : "")
        }
    }

    /// The peer a message came from, for the `from` clause.
    public struct ReceivedClient: Hashable, Sendable {
        /// The name the client gave in `EHLO`/`HELO`.
        public var helo: String
        /// The client's name from reverse DNS, when it resolved (and matched).
        public var reverseDNS: String?
        /// The client's IP address, without brackets: `192.0.2.7`, `2001:db8::7`.
        public var address: String

        /// A client as the session knows it.
        public init(helo: String, reverseDNS: String? = nil, address: String) {
            self.helo = helo
            self.reverseDNS = reverseDNS
            self.address = address
        }
    }

    /// The complete `Received:` header field, folded, ending in CRLF:
    ///
    ///     Received: from HELO (RDNS [IP]) by HOST with PROTOCOL id ID
    ///     	for <RCPT>; DATE
    ///
    /// (RFC 5321 §4.4: `Stamp = From-domain By-domain Opt-info [CFWS] ";"
    /// FWS date-time`.) Without a `client` (a local submission) the `from`
    /// clause is left out, and without a `protocol` (not SMTP) the `with` clause; without reverse DNS the TCP-info is the address
    /// literal alone (`([192.0.2.7])`, `([IPv6:2001:db8::7])`). The `for`
    /// clause names `recipient`, which callers give only for a message with
    /// one recipient, so the header does not disclose the others.
    ///
    /// The header is folded between clauses (inside a clause only when it
    /// alone is too long, and never inside a quoted string) so that no line
    /// exceeds `foldWidth` characters where that is possible; continuation
    /// lines start with a tab. Client-supplied names are made safe first:
    /// controls, whitespace and `( ) ; \ "` in them become `_`, and an empty
    /// name becomes `unknown`.
    public static func received(
        from client: ReceivedClient?,
        by host: String,
        with protocol: ReceivedProtocol?,
        id: MessageID,
        for recipient: MailAddress? = nil,
        date: Date,
        timeZone: TimeZone = .current
    ) -> String {
        var clauses: [String] = []
        if let client {
            clauses.append("from " + safeName(client.helo))
            let literal = "[" + (client.address.contains(":") ? "IPv6:" : "") + safeName(client.address) + "]"
            clauses.append("(" + (client.reverseDNS.map { safeName($0) + " " } ?? "") + literal + ")")
        }
        clauses.append("by " + safeName(host))
        if let `protocol` { clauses.append("with " + `protocol`.description) }
        clauses.append("id " + id.description)
        if let recipient {
            clauses.append("for " + SMTPReply.sanitized(recipient.wireForm))
        }
        clauses[clauses.count - 1] += ";"
        clauses.append(rfc5322Date(date, timeZone: timeZone))
        return fold(name: "Received:", clauses: clauses)
    }

    /// `Name: clause clause…` with each clause on the current line when it
    /// fits, else on a new line after CRLF and a tab. A clause too long for
    /// any line is placed word by word.
    private static func fold(name: String, clauses: [String]) -> String {
        var lines = [name]
        for clause in clauses {
            let pieces = 1 + clause.utf8.count <= foldWidth ? [clause] : words(clause)
            for piece in pieces {
                let last = lines[lines.count - 1]
                if last == name || last.utf8.count + 1 + piece.utf8.count <= foldWidth {
                    lines[lines.count - 1] = last + " " + piece
                } else {
                    lines.append("\t" + piece)
                }
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The clause split at spaces outside quoted strings.
    private static func words(_ clause: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for character in clause {
            if character == " ", !inQuotes {
                if !current.isEmpty { words.append(current) }
                current = ""
                continue
            }
            current.append(character)
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = inQuotes
            } else if character == "\"" {
                inQuotes.toggle()
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// A peer-supplied name made harmless in a header: no line breaks, no
    /// whitespace, no comment or clause delimiters.
    private static func safeName(_ name: String) -> String {
        guard !name.isEmpty else { return "unknown" }
        if name.utf8.allSatisfy(isSafeASCIIInName) { return name }
        var out = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            let safe = scalar.isASCII
                ? isSafeASCIIInName(UInt8(scalar.value))
                : !scalar.properties.isWhitespace && MailboxScanner.isPermittedNonASCII(scalar)
            out.append(safe ? scalar : "_")
        }
        return String(out)
    }

    /// Printable ASCII other than the comment and clause delimiters `();\"`.
    private static func isSafeASCIIInName(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "\\"), UInt8(ascii: "\""): false
        default: byte > 0x20 && byte < 0x7F
        }
    }

    // MARK: - Message-ID (RFC 5322 §3.6.4)

    /// A `Message-ID` value for a message that arrived without one:
    /// `<06f3q2k1x8b0mzr4t7cd@mx.example.com>`.
    ///
    /// `host` should be this server's own name; characters that cannot
    /// appear in a `msg-id` (controls, whitespace, `<>()@,;:\"`) become `-`,
    /// and an empty host becomes `localhost`.
    public static func messageID(_ id: MessageID, host: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in host.unicodeScalars {
            let unsafe = scalar.value < 0x21 || scalar.value == 0x7F || scalar.properties.isWhitespace
                || "<>()@,;:\\\"".unicodeScalars.contains(scalar)
            out.append(unsafe ? "-" : scalar)
        }
        return "<\(id)@\(out.isEmpty ? "localhost" : String(out))>"
    }
}
