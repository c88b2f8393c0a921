import Envelope

/// Why a command line was refused, with the reply to send.
public struct SMTPCommandError: Error, Hashable, Sendable {
    public let reply: SMTPReply

    init(_ code: Int, _ status: EnhancedStatus, _ text: String) {
        reply = SMTPReply(code: code, status: status, text)
    }

    init(_ reply: SMTPReply) {
        self.reply = reply
    }
}

/// Parses client command lines (without CRLF) into `SMTPCommand`s.
///
///     command = verb [ SP argument ]      ; RFC 5321 §4.1.1
///     mail    = "MAIL FROM:" Reverse-path [ SP Mail-parameters ]
///     rcpt    = "RCPT TO:" Forward-path [ SP Rcpt-parameters ]
///     esmtp-param = esmtp-keyword ["=" esmtp-value]
public enum SMTPCommandParser {
    /// The largest `SIZE`/`BDAT` number accepted before it is a syntax error.
    static let largestNumber = 1 << 40

    /// Parses one line; `allowUTF8` permits non-ASCII in paths (after `SMTPUTF8`
    /// was given on MAIL, or always for `MAIL` lines that carry it).
    public static func parse(_ line: [UInt8], allowUTF8: Bool) throws(SMTPCommandError) -> SMTPCommand {
        guard !line.contains(0) else { throw SMTPCommandError(500, .syntaxError, "NUL character in command") }
        guard let text = String(validating: line, as: UTF8.self) else {
            throw SMTPCommandError(500, .syntaxError, "Command is not valid UTF-8")
        }
        let verbEnd = text.firstIndex(of: " ") ?? text.endIndex
        let verb = text[..<verbEnd].uppercased()
        let argument = verbEnd < text.endIndex ? text[text.index(after: verbEnd)...] : ""
        switch verb {
        case "HELO", "EHLO":
            let name = argument.trimmingSpaces
            guard !name.isEmpty, !name.contains(" ") else {
                throw SMTPCommandError(501, .invalidArguments, "Syntax: \(verb) hostname")
            }
            return verb == "HELO" ? .helo(String(name)) : .ehlo(String(name))
        case "MAIL":
            return try parseMail(argument, allowUTF8: allowUTF8)
        case "RCPT":
            return try parseRecipient(argument, allowUTF8: allowUTF8)
        case "DATA":
            try expectNoArgument(argument, verb)
            return .data
        case "BDAT":
            return try parseBDAT(argument)
        case "RSET":
            try expectNoArgument(argument, verb)
            return .rset
        case "NOOP":
            return .noop
        case "QUIT":
            try expectNoArgument(argument, verb)
            return .quit
        case "VRFY":
            return .vrfy(String(argument.trimmingSpaces))
        case "EXPN":
            return .expn(String(argument.trimmingSpaces))
        case "HELP":
            return .help
        case "STARTTLS":
            try expectNoArgument(argument, verb)
            return .startTLS
        case "AUTH":
            let words = argument.split(separator: " ", omittingEmptySubsequences: true)
            guard (1...2).contains(words.count) else {
                throw SMTPCommandError(501, .invalidArguments, "Syntax: AUTH mechanism [initial-response]")
            }
            return .auth(mechanism: words[0].uppercased(), initialResponse: words.count == 2 ? String(words[1]) : nil)
        default:
            throw SMTPCommandError(500, .invalidCommand, "Command unrecognized")
        }
    }

    private static func expectNoArgument(_ argument: Substring, _ verb: String) throws(SMTPCommandError) {
        guard argument.trimmingSpaces.isEmpty else {
            throw SMTPCommandError(501, .invalidArguments, "Syntax: \(verb) takes no arguments")
        }
    }

    private static func parseMail(_ argument: Substring, allowUTF8: Bool) throws(SMTPCommandError) -> SMTPCommand {
        let (pathText, parameterText) = try splitPath(argument, prefix: "FROM:", usage: "MAIL FROM:<address>")
        var parameters = MailParameters()
        for (keyword, value) in try esmtpParameters(parameterText) {
            switch keyword {
            case "SIZE":
                guard let value, let size = number(value) else {
                    throw SMTPCommandError(501, .invalidArguments, "Bad SIZE parameter")
                }
                parameters.size = size
            case "BODY":
                guard let body = value.flatMap({ MessageBodyType(rawValue: $0.uppercased()) }) else {
                    throw SMTPCommandError(501, .invalidArguments, "Bad BODY parameter")
                }
                parameters.body = body
            case "SMTPUTF8":
                guard value == nil else { throw SMTPCommandError(501, .invalidArguments, "SMTPUTF8 takes no value") }
                parameters.smtpUTF8 = true
            case "RET":
                guard parameters.ret == nil, let value else { throw SMTPCommandError(501, .invalidArguments, "Bad RET parameter") }
                do { parameters.ret = try DSNReturn.parse(value) } catch { throw SMTPCommandError(error.reply) }
            case "ENVID":
                guard parameters.envelopeID == nil, let value else { throw SMTPCommandError(501, .invalidArguments, "Bad ENVID parameter") }
                do { parameters.envelopeID = try EnvelopeIdentifier.parse(value) } catch { throw SMTPCommandError(error.reply) }
            case "AUTH":
                guard let value else { throw SMTPCommandError(501, .invalidArguments, "Bad AUTH parameter") }
                parameters.auth = value == "<>" ? "<>" : ((try? XText.decode(value)) ?? "<>")
            default:
                throw SMTPCommandError(555, .invalidArguments, "Unsupported MAIL parameter \(keyword)")
            }
        }
        do {
            let path = try ReversePath.parse(pathText, allowUTF8: allowUTF8 || parameters.smtpUTF8)
            return .mail(path, parameters)
        } catch {
            throw SMTPCommandError(error.reply(for: .sender))
        }
    }

    private static func parseRecipient(_ argument: Substring, allowUTF8: Bool) throws(SMTPCommandError) -> SMTPCommand {
        let (pathText, parameterText) = try splitPath(argument, prefix: "TO:", usage: "RCPT TO:<address>")
        var parameters = RecipientParameters()
        for (keyword, value) in try esmtpParameters(parameterText) {
            switch keyword {
            case "NOTIFY":
                guard parameters.notify == nil, let value else { throw SMTPCommandError(501, .invalidArguments, "Bad NOTIFY parameter") }
                do { parameters.notify = try DSNNotify.parse(value) } catch { throw SMTPCommandError(error.reply) }
            case "ORCPT":
                guard parameters.originalRecipient == nil, let value else {
                    throw SMTPCommandError(501, .invalidArguments, "Bad ORCPT parameter")
                }
                do { parameters.originalRecipient = try OriginalRecipient.parse(value) } catch { throw SMTPCommandError(error.reply) }
            default:
                throw SMTPCommandError(555, .invalidArguments, "Unsupported RCPT parameter \(keyword)")
            }
        }
        do {
            return .rcpt(try MailAddress.parseForwardPath(pathText, allowUTF8: allowUTF8), parameters)
        } catch {
            throw SMTPCommandError(error.reply(for: .recipient))
        }
    }

    private static func parseBDAT(_ argument: Substring) throws(SMTPCommandError) -> SMTPCommand {
        let words = argument.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(words.count), let size = number(words[0]),
              words.count == 1 || words[1].uppercased() == "LAST"
        else {
            throw SMTPCommandError(501, .invalidArguments, "Syntax: BDAT size [LAST]")
        }
        return .bdat(size: size, last: words.count == 2)
    }

    /// `1*DIGIT` up to `largestNumber` (RFC 1870 `size-value`, RFC 3030
    /// `chunk-size`); no sign, unlike `Int.init(_:)`.
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let value = Int(text), value <= largestNumber
        else { return nil }
        return value
    }

    /// Splits `FROM:<path> params` into the bracketed path and the parameters.
    /// Spaces after the colon are tolerated, as many clients send them.
    private static func splitPath(_ argument: Substring, prefix: String, usage: String) throws(SMTPCommandError) -> (Substring, Substring) {
        guard argument.count >= prefix.count, argument.prefix(prefix.count).uppercased() == prefix else {
            throw SMTPCommandError(501, .invalidArguments, "Syntax: \(usage)")
        }
        let rest = argument.dropFirst(prefix.count).drop { $0 == " " }
        guard rest.first == "<" else { throw SMTPCommandError(501, .invalidArguments, "Syntax: \(usage)") }
        var inQuotes = false
        var escaped = false
        for index in rest.indices {
            let character = rest[index]
            if escaped {
                escaped = false
            } else if character == "\\" && inQuotes {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == ">" && !inQuotes {
                let end = rest.index(after: index)
                let parameters = rest[end...]
                guard parameters.isEmpty || parameters.first == " " else {
                    throw SMTPCommandError(501, .invalidArguments, "Syntax: \(usage)")
                }
                return (rest[..<end], parameters)
            }
        }
        throw SMTPCommandError(501, .invalidArguments, "Syntax: \(usage)")
    }

    /// `KEYWORD[=value]` pairs, keywords upper-cased, each at most once.
    ///
    ///     esmtp-param = esmtp-keyword ["=" esmtp-value]
    ///     esmtp-value = 1*(%d33-60 / %d62-126)    ; never empty
    private static func esmtpParameters(_ text: Substring) throws(SMTPCommandError) -> [(String, Substring?)] {
        var seen = Set<String>()
        var result: [(String, Substring?)] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let equals = word.firstIndex(of: "=")
            let keyword = (equals.map { word[..<$0] } ?? word).uppercased()
            guard !keyword.isEmpty, keyword.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw SMTPCommandError(501, .invalidArguments, "Malformed parameter")
            }
            let value = equals.map { word[word.index(after: $0)...] }
            guard value?.isEmpty != true else {
                throw SMTPCommandError(501, .invalidArguments, "Empty value for \(keyword) parameter")
            }
            guard seen.insert(keyword).inserted else {
                throw SMTPCommandError(501, .invalidArguments, "Duplicate \(keyword) parameter")
            }
            result.append((keyword, value))
        }
        return result
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return self[first...last]
    }
}
