/// An SMTP reply (RFC 5321 §4.2): a three-digit code, an optional enhanced
/// status (RFC 2034) and one or more lines of text.
///
///     250-mx.example.com
///     250 PIPELINING
public struct SMTPReply: Hashable, Sendable {
    public let code: Int
    public let status: EnhancedStatus?
    public let lines: [String]

    public init(code: Int, status: EnhancedStatus? = nil, lines: [String]) {
        self.code = code
        self.status = status
        self.lines = lines.isEmpty ? [""] : lines
    }

    public init(code: Int, status: EnhancedStatus? = nil, _ text: String) {
        self.init(code: code, status: status, lines: [text])
    }
}
