import Envelope
import Foundation
import Testing
import TestSupport

private let utc = TimeZone(secondsFromGMT: 0) ?? .current
private let id = MessageID(time: 1_795_605_627_000_000, salt: 0xDEAD_BEEF)
private let arrival = Date(timeIntervalSince1970: 1_795_605_627)

/// The physical lines of a header field, CRLF removed; every CRLF must be
/// a fold point (followed by a tab) or the end.
private func headerLines(_ field: String) -> [String] {
    #expect(field.hasSuffix("\r\n"))
    let lines = field.dropLast(2).components(separatedBy: "\r\n")
    for line in lines {
        #expect(!line.contains("\r") && !line.contains("\n"))
    }
    for line in lines.dropFirst() {
        #expect(line.hasPrefix("\t"))
    }
    return lines
}

@Suite("MessageHeaders")
struct MessageHeadersTests {
    // MARK: Date

    @Test(
        "writes RFC 5322 dates in English with the zone's offset",
        arguments: [
            (1_795_605_627.0, utc, "Wed, 25 Nov 2026 11:20:27 +0000"),
            (1_795_605_627.999, utc, "Wed, 25 Nov 2026 11:20:27 +0000"),
            (0, utc, "Thu, 1 Jan 1970 00:00:00 +0000"),
            (-1, utc, "Wed, 31 Dec 1969 23:59:59 +0000"),
            (1_709_251_199, utc, "Thu, 29 Feb 2024 23:59:59 +0000"),
            (951_868_800, utc, "Wed, 1 Mar 2000 00:00:00 +0000"),
            (1_057_049_557, TimeZone(secondsFromGMT: 7_200) ?? utc, "Tue, 1 Jul 2003 10:52:37 +0200"),
            (1_795_605_627, TimeZone(secondsFromGMT: -21_600) ?? utc, "Wed, 25 Nov 2026 05:20:27 -0600"),
            (1_795_605_627, TimeZone(secondsFromGMT: 19_800) ?? utc, "Wed, 25 Nov 2026 16:50:27 +0530"),
            (1_795_605_627, TimeZone(secondsFromGMT: 20_700) ?? utc, "Wed, 25 Nov 2026 17:05:27 +0545"),
            (1_795_605_627, TimeZone(secondsFromGMT: -12_600) ?? utc, "Wed, 25 Nov 2026 07:50:27 -0330"),
            (1_795_605_627, TimeZone(secondsFromGMT: 50_400) ?? utc, "Thu, 26 Nov 2026 01:20:27 +1400"),
            (1_795_605_627, TimeZone(secondsFromGMT: -43_200) ?? utc, "Tue, 24 Nov 2026 23:20:27 -1200"),
        ])
    func rfc5322Date(seconds: Double, zone: TimeZone, expected: String) {
        #expect(MessageHeaders.rfc5322Date(Date(timeIntervalSince1970: seconds), timeZone: zone) == expected)
    }

    @Test("follows a named zone's daylight saving time")
    func namedZone() throws {
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let summer = Date(timeIntervalSince1970: 1_783_166_400)
        let winter = Date(timeIntervalSince1970: 1_768_478_400)
        #expect(MessageHeaders.rfc5322Date(summer, timeZone: newYork) == "Sat, 4 Jul 2026 08:00:00 -0400")
        #expect(MessageHeaders.rfc5322Date(winter, timeZone: newYork) == "Thu, 15 Jan 2026 07:00:00 -0500")
    }

    @Test("agrees with Foundation's Gregorian calendar from 1600 to 9999 in several zones (it switches to Julian dates before 1582)")
    func agreesWithCalendar() throws {
        let zones = try [utc, #require(TimeZone(identifier: "America/New_York")), #require(TimeZone(identifier: "Asia/Kathmandu")),
                         #require(TimeZone(secondsFromGMT: -43_200))]
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var generator = SeededGenerator(seed: 5322)
        for _ in 0..<2_000 {
            let seconds = Double(Int64.random(in: -11_676_096_000...253_402_300_799, using: &generator))
            let date = Date(timeIntervalSince1970: seconds)
            for zone in zones {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = zone
                let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
                let offset = zone.secondsFromGMT(for: date) / 60
                let expected = String(
                    format: "%@, %d %@ %04d %02d:%02d:%02d %@%02d%02d", names[parts.weekday! - 1], parts.day!, monthNames[parts.month! - 1],
                    parts.year!, parts.hour!, parts.minute!, parts.second!, offset < 0 ? "-" : "+", abs(offset) / 60, abs(offset) % 60)
                #expect(MessageHeaders.rfc5322Date(date, timeZone: zone) == expected, "\(seconds) in \(zone.identifier)")
            }
        }
    }

    @Test("uses every English day and month name")
    func allNames() {
        var days = Set<String>()
        var months = Set<String>()
        for day in 0..<366 {
            let text = MessageHeaders.rfc5322Date(Date(timeIntervalSince1970: Double(day) * 86_400), timeZone: utc)
            let parts = text.split(separator: " ")
            days.insert(String(parts[0]))
            months.insert(String(parts[2]))
        }
        #expect(days == ["Sun,", "Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,"])
        #expect(months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
    }

    // MARK: Received

    @Test("builds a folded Received header with every clause")
    func receivedGolden() {
        let header = MessageHeaders.received(
            from: .init(helo: "client.example", reverseDNS: "mail.client.example", address: "192.0.2.7"),
            by: "mx.example.com",
            with: .init(tls: true),
            id: id,
            for: MailAddress(localPart: "bob", domain: "example.com"),
            date: arrival,
            timeZone: utc)
        #expect(
            header == "Received: from client.example (mail.client.example [192.0.2.7])\r\n"
                + "\tby mx.example.com with ESMTPS id \(id) for <bob@example.com>;\r\n"
                + "\tWed, 25 Nov 2026 11:20:27 +0000\r\n")
        #expect(headerLines(header).allSatisfy { $0.utf8.count <= 78 })
    }

    @Test(
        "names the protocol per RFC 3848 and RFC 6531",
        arguments: [
            (MessageHeaders.ReceivedProtocol(extended: false), "SMTP"),
            (.init(extended: false, tls: true, authenticated: true, utf8: true), "SMTP"),
            (.init(), "ESMTP"),
            (.init(tls: true), "ESMTPS"),
            (.init(authenticated: true), "ESMTPA"),
            (.init(tls: true, authenticated: true), "ESMTPSA"),
            (.init(utf8: true), "UTF8SMTP"),
            (.init(tls: true, utf8: true), "UTF8SMTPS"),
            (.init(authenticated: true, utf8: true), "UTF8SMTPA"),
            (.init(tls: true, authenticated: true, utf8: true), "UTF8SMTPSA"),
        ])
    func protocolNames(protocol: MessageHeaders.ReceivedProtocol, name: String) {
        #expect(`protocol`.description == name)
        let header = MessageHeaders.received(from: nil, by: "mx", with: `protocol`, id: id, date: arrival, timeZone: utc)
        #expect(header.contains(" with \(name) id "))
    }

    @Test("writes the TCP-info as an address literal, with reverse DNS when known")
    func tcpInfo() {
        func header(_ client: MessageHeaders.ReceivedClient) -> String {
            MessageHeaders.received(from: client, by: "mx.example.com", with: .init(), id: id, date: arrival, timeZone: utc)
        }
        #expect(header(.init(helo: "c.example", address: "192.0.2.7")).hasPrefix("Received: from c.example ([192.0.2.7])"))
        #expect(header(.init(helo: "c", address: "2001:db8::7")).hasPrefix("Received: from c ([IPv6:2001:db8::7])"))
        #expect(
            header(.init(helo: "[192.0.2.7]", reverseDNS: "r.example", address: "192.0.2.7"))
                .hasPrefix("Received: from [192.0.2.7] (r.example [192.0.2.7])"))
        #expect(header(.init(helo: "", address: "192.0.2.7")).hasPrefix("Received: from unknown ([192.0.2.7])"))
    }

    @Test("leaves out the from clause for local submissions and the for clause when not given")
    func localSubmission() {
        let header = MessageHeaders.received(
            from: nil, by: "mx.example.com", with: .init(), id: id, date: arrival, timeZone: utc)
        #expect(header == "Received: by mx.example.com with ESMTP id \(id);\r\n\tWed, 25 Nov 2026 11:20:27 +0000\r\n")
    }

    @Test(
        "neutralises hostile HELO and reverse DNS names",
        arguments: [
            "evil)\r\n\tby fake.example; Mon", "a\r\nX-Injected: yes", "(comment)", "semi;colon", "back\\slash",
            "quo\"te", "tab\there", "nbsp\u{A0}here", "\u{0}", "line\u{2028}sep",
        ])
    func hostileNames(name: String) {
        let header = MessageHeaders.received(
            from: .init(helo: name, reverseDNS: name, address: "192.0.2.7"),
            by: "mx.example.com", with: .init(), id: id, date: arrival, timeZone: utc)
        let lines = headerLines(header)
        #expect(header.filter { $0 == ";" }.count == 1)
        #expect(header.filter { $0 == "(" }.count == 1)
        #expect(header.filter { $0 == ")" }.count == 1)
        #expect(!lines.contains { $0.hasPrefix("X-Injected") || $0.hasPrefix("\tby fake") })
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
    }

    @Test("folds long names word by word and never inside a quoted local part")
    func longClauses() {
        let helo = String(repeating: "h", count: 200)
        let local = String(repeating: "x y ", count: 15)
        let recipient = MailAddress(localPart: local, domain: "example.com")
        let header = MessageHeaders.received(
            from: .init(helo: helo, reverseDNS: "r.example", address: "192.0.2.7"),
            by: "mx.example.com", with: .init(tls: true, authenticated: true), id: id, for: recipient,
            date: arrival, timeZone: utc)
        let lines = headerLines(header)
        for line in lines where line.utf8.count > 78 {
            #expect(line.hasPrefix("\t"))
            #expect(!line.dropFirst().contains(" ") || line.contains("\""))
        }
        #expect(lines.contains("\t" + helo))
        #expect(header.contains(recipient.wireForm))
        #expect(lines.first == "Received: from")
    }

    // MARK: Message-ID

    @Test(
        "makes a Message-ID from the message id and host",
        arguments: [
            ("mx.example.com", "mx.example.com"),
            ("", "localhost"),
            ("evil host>\r\n", "evil-host---"),
            ("a@b", "a-b"),
            ("[192.0.2.1]", "[192.0.2.1]"),
        ])
    func messageID(host: String, written: String) {
        let value = MessageHeaders.messageID(id, host: host)
        #expect(value == "<\(id)@\(written)>")
    }
}
