/// Why a DSN parameter (RFC 3461 §4) or an xtext value was refused.
///
/// Every case is a syntax problem in an argument, answered with
/// `501 5.5.4` (RFC 3463 X.5.4, Invalid command arguments). The
/// `description` is plain ASCII without CR or LF and never echoes the
/// client's input:
///
///     501 5.5.4 Invalid NOTIFY: NEVER cannot be combined with other values
public struct DSNParameterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The parameter whose value was refused.
    public enum Parameter: String, Hashable, Sendable {
        /// `NOTIFY` of `RCPT TO` (RFC 3461 §4.1).
        case notify = "NOTIFY"
        /// `RET` of `MAIL FROM` (RFC 3461 §4.3).
        case ret = "RET"
        /// `ORCPT` of `RCPT TO` (RFC 3461 §4.2).
        case orcpt = "ORCPT"
        /// `ENVID` of `MAIL FROM` (RFC 3461 §4.4).
        case envid = "ENVID"
    }

    /// What went wrong, coarsely.
    public enum Kind: Hashable, Sendable {
        /// The value does not follow the parameter's grammar.
        case malformed
        /// The value is longer than its limit.
        case tooLong
    }

    private enum Code: Hashable, Sendable {
        case empty
        case badHexchar(offset: Int)
        case forbiddenCharacter(offset: Int)
        case notUTF8
        case notPrintableASCII
        case unknownKeyword(offset: Int)
        case duplicateKeyword(offset: Int)
        case neverCombined
        case missingSemicolon
        case badAddressType
        case badEmbeddedUnicode(offset: Int)
        case tooLong(limit: Int)
    }

    private let code: Code

    /// The parameter being parsed, or nil for a bare `XText.decode`.
    public let parameter: Parameter?

    private init(_ code: Code, parameter: Parameter? = nil) {
        self.code = code
        self.parameter = parameter
    }

    static let empty = DSNParameterError(.empty)
    static let notUTF8 = DSNParameterError(.notUTF8)
    static let notPrintableASCII = DSNParameterError(.notPrintableASCII)
    static let neverCombined = DSNParameterError(.neverCombined)
    static let missingSemicolon = DSNParameterError(.missingSemicolon)
    static let badAddressType = DSNParameterError(.badAddressType)
    static func badHexchar(at offset: Int) -> DSNParameterError { DSNParameterError(.badHexchar(offset: offset)) }
    static func forbiddenCharacter(at offset: Int) -> DSNParameterError {
        DSNParameterError(.forbiddenCharacter(offset: offset))
    }
    static func unknownKeyword(at offset: Int) -> DSNParameterError {
        DSNParameterError(.unknownKeyword(offset: offset))
    }
    static func duplicateKeyword(at offset: Int) -> DSNParameterError {
        DSNParameterError(.duplicateKeyword(offset: offset))
    }
    static func badEmbeddedUnicode(at offset: Int) -> DSNParameterError {
        DSNParameterError(.badEmbeddedUnicode(offset: offset))
    }
    static func tooLong(limit: Int) -> DSNParameterError { DSNParameterError(.tooLong(limit: limit)) }

    /// The same error, attributed to `parameter`.
    func attributed(to parameter: Parameter) -> DSNParameterError {
        DSNParameterError(code, parameter: parameter)
    }

    /// The same error with its offset moved by `delta` octets, for a value
    /// parsed as part of a larger one.
    func shifted(by delta: Int) -> DSNParameterError {
        let moved: Code
        switch code {
        case .badHexchar(let offset): moved = .badHexchar(offset: offset + delta)
        case .forbiddenCharacter(let offset): moved = .forbiddenCharacter(offset: offset + delta)
        case .unknownKeyword(let offset): moved = .unknownKeyword(offset: offset + delta)
        case .duplicateKeyword(let offset): moved = .duplicateKeyword(offset: offset + delta)
        case .badEmbeddedUnicode(let offset): moved = .badEmbeddedUnicode(offset: offset + delta)
        default: moved = code
        }
        return DSNParameterError(moved, parameter: parameter)
    }

    /// Whether the value was malformed or too long.
    public var kind: Kind {
        if case .tooLong = code { return .tooLong }
        return .malformed
    }

    /// The octet offset into the value where the problem was found, when there is one.
    public var offset: Int? {
        switch code {
        case .badHexchar(let offset), .forbiddenCharacter(let offset), .unknownKeyword(let offset),
            .duplicateKeyword(let offset), .badEmbeddedUnicode(let offset):
            offset
        default:
            nil
        }
    }

    /// Always 501: syntax error in parameters or arguments (RFC 5321 §4.2.3).
    public var replyCode: Int { 501 }

    /// Always `5.5.4`, Invalid command arguments (RFC 3463 §3.6).
    public var enhancedStatus: EnhancedStatus { .invalidArguments }

    /// The complete reply: `501 5.5.4 Invalid ORCPT: missing ";" after the address type`.
    public var reply: SMTPReply {
        SMTPReply(code: replyCode, status: enhancedStatus, description)
    }

    /// The reason, naming the parameter: `Invalid RET: unknown keyword (at octet 0)`.
    public var description: String {
        let subject = parameter.map { "Invalid \($0.rawValue)" } ?? "Invalid xtext"
        return "\(subject): \(reason)"
    }

    private var reason: String {
        switch code {
        case .empty: "empty value"
        case .badHexchar(let offset): "\"+\" not followed by two hex digits (at octet \(offset))"
        case .forbiddenCharacter(let offset): "character not permitted (at octet \(offset))"
        case .notUTF8: "decoded value is not UTF-8"
        case .notPrintableASCII: "decoded value is not printable ASCII"
        case .unknownKeyword(let offset): "unknown keyword (at octet \(offset))"
        case .duplicateKeyword(let offset): "keyword repeated (at octet \(offset))"
        case .neverCombined: "NEVER cannot be combined with other values"
        case .missingSemicolon: "missing \";\" after the address type"
        case .badAddressType: "address type is not an atom"
        case .badEmbeddedUnicode(let offset): "malformed \\x{...} escape (at octet \(offset))"
        case .tooLong(let limit): "longer than \(limit) characters"
        }
    }
}
