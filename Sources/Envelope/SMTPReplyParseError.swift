/// Why a line from an SMTP server could not be read as part of a reply.
///
/// The client should treat any of these as a protocol failure of the
/// connection (a transient `4.4.2` bad connection for the recipients in
/// flight). The `description` never echoes the server's text.
public struct SMTPReplyParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely.
    public enum Kind: Hashable, Sendable {
        /// The line is not `CODE[-| ]text`, or its code differs from the
        /// reply's earlier lines.
        case malformed
        /// A line, or the number of lines, exceeds `SMTPReplyParser`'s limits.
        case tooLong
    }

    private enum Code: Hashable, Sendable {
        case badCode
        case badSeparator
        case lineBreakInLine
        case inconsistentCode(expected: Int, found: Int)
        case lineTooLong
        case tooManyLines
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    static let badCode = SMTPReplyParseError(.badCode)
    static let badSeparator = SMTPReplyParseError(.badSeparator)
    static let lineBreakInLine = SMTPReplyParseError(.lineBreakInLine)
    static let lineTooLong = SMTPReplyParseError(.lineTooLong)
    static let tooManyLines = SMTPReplyParseError(.tooManyLines)
    static func inconsistentCode(expected: Int, found: Int) -> SMTPReplyParseError {
        SMTPReplyParseError(.inconsistentCode(expected: expected, found: found))
    }

    /// Whether the input was malformed or too long.
    public var kind: Kind {
        switch code {
        case .lineTooLong, .tooManyLines: .tooLong
        default: .malformed
        }
    }

    /// What was wrong, in words: `reply line has code 550 within a 250 reply`.
    public var description: String {
        switch code {
        case .badCode: "reply line does not start with a reply code (2yz to 5yz)"
        case .badSeparator: "reply code not followed by space, dash or end of line"
        case .lineBreakInLine: "bare CR or LF inside a reply line"
        case .inconsistentCode(let expected, let found): "reply line has code \(found) within a \(expected) reply"
        case .lineTooLong: "reply line longer than \(SMTPReplyParser.maximumLineLength) octets"
        case .tooManyLines: "reply longer than \(SMTPReplyParser.maximumLineCount) lines"
        }
    }
}
