/// Reads a server's replies line by line on the client side (RFC 5321 §4.2).
///
///     Reply-line = *( Reply-code "-" [ textstring ] CRLF )
///                  Reply-code [ SP textstring ] CRLF
///     Reply-code = %x32-35 %x30-35 %x30-39
///
/// Feed it one line at a time; it returns nil while a multi-line reply
/// continues and the whole `SMTPReply` at its last line:
///
///     var parser = SMTPReplyParser()
///     try parser.feed(line: "250-mx.example.org")  // nil
///     try parser.feed(line: "250 PIPELINING")      // 250, ["mx.example.org", "PIPELINING"]
///
/// With `enhancedStatusCodes` (the server announced `ENHANCEDSTATUSCODES`,
/// RFC 2034), the status is taken out of the text when every line starts
/// with the same `x.y.z` whose class matches the reply code's first digit;
/// otherwise the text is left as it is and `status` is nil.
///
/// A line may be given with or without its CRLF (or bare LF) terminator.
/// After an error the partial reply is discarded and the parser starts afresh.
public struct SMTPReplyParser: Hashable, Sendable {
    /// The longest line accepted, in octets without the terminator. RFC 5321
    /// §4.5.3.1.5 allows 512 with CRLF; this leaves room for servers that
    /// overrun it without letting one line grow without bound.
    public static let maximumLineLength = 2048

    /// The most lines one reply may have.
    public static let maximumLineCount = 128

    private let enhancedStatusCodes: Bool
    private var code: Int?
    private var texts: [String] = []

    /// A parser; `enhancedStatusCodes` says whether to look for RFC 2034 status codes.
    public init(enhancedStatusCodes: Bool = true) {
        self.enhancedStatusCodes = enhancedStatusCodes
    }

    /// Whether a multi-line reply has begun and not yet ended.
    public var isInsideReply: Bool { code != nil }

    /// Reads one line; returns the reply when `line` was its last line.
    ///
    /// - Throws: `SMTPReplyParseError` for a line without a valid reply code,
    ///   a code that differs from the reply's earlier lines, a bare CR or LF,
    ///   or a line or reply beyond the limits.
    public mutating func feed(line: Substring) throws(SMTPReplyParseError) -> SMTPReply? {
        do {
            return try read(line)
        } catch {
            code = nil
            texts = []
            throw error
        }
    }

    private mutating func read(_ line: Substring) throws(SMTPReplyParseError) -> SMTPReply? {
        var bytes = line.utf8[...]
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard bytes.count <= Self.maximumLineLength else { throw .lineTooLong }
        guard !bytes.contains(UInt8(ascii: "\r")), !bytes.contains(UInt8(ascii: "\n")) else {
            throw .lineBreakInLine
        }
        var digits = bytes.makeIterator()
        guard let first = digits.next(), let second = digits.next(), let third = digits.next(),
            (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(first),
            (UInt8(ascii: "0")...UInt8(ascii: "5")).contains(second),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(third)
        else { throw .badCode }
        let zero = UInt8(ascii: "0")
        let lineCode = Int(first - zero) * 100 + Int(second - zero) * 10 + Int(third - zero)
        let rest = bytes.dropFirst(3)
        let isLast: Bool
        switch rest.first {
        case nil, UInt8(ascii: " "): isLast = true
        case UInt8(ascii: "-"): isLast = false
        default: throw .badSeparator
        }
        if let code, code != lineCode { throw .inconsistentCode(expected: code, found: lineCode) }
        guard texts.count < Self.maximumLineCount else { throw .tooManyLines }
        code = lineCode
        texts.append(String(decoding: rest.dropFirst(), as: UTF8.self))
        guard isLast else { return nil }
        let reply = makeReply(code: lineCode)
        code = nil
        texts = []
        return reply
    }

    private func makeReply(code: Int) -> SMTPReply {
        guard enhancedStatusCodes, let (status, stripped) = extractStatus(code: code) else {
            return SMTPReply(code: code, lines: texts)
        }
        return SMTPReply(code: code, status: status, lines: stripped)
    }

    /// The common status of all lines and the lines without it, if every line has the same one.
    private func extractStatus(code: Int) -> (EnhancedStatus, [String])? {
        var status: EnhancedStatus?
        var stripped: [String] = []
        for text in texts {
            // By octets: the status and the space after it are ASCII.
            let tokenEnd = text.utf8.firstIndex(of: UInt8(ascii: " ")) ?? text.endIndex
            guard let lineStatus = EnhancedStatus(text[..<tokenEnd]),
                Int(lineStatus.statusClass) == code / 100,
                status == nil || status == lineStatus
            else { return nil }
            status = lineStatus
            stripped.append(tokenEnd == text.endIndex ? "" : String(text[text.utf8.index(after: tokenEnd)...]))
        }
        return status.map { ($0, stripped) }
    }
}
