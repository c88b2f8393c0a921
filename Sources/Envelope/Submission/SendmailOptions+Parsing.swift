// MARK: - Parsing
//
// sendmail's command line follows getopt(3): flags may be grouped (`-ti`),
// an option's argument may be attached (`-falice@example.org`) or be the
// next word (`-f alice@example.org`), `--` ends the options, and the first
// word that is not an option starts the recipients. `-o` sets a
// configuration option named by its first letter (`-oi`, `-odq`, `-oem`).

extension SendmailOptions {
    /// Options that take an argument.
    static let withArgument: Set<Character> = ["A", "B", "C", "F", "L", "N", "O", "R", "V", "b", "f", "h", "o", "p", "r"]
    /// Flags accepted and ignored, as sendmail-compatible MTAs do: `-G`
    /// (gateway submission), `-U` (initial submission), `-m` (me too), `-n`
    /// (no aliasing).
    static let ignoredFlags: Set<Character> = ["G", "U", "m", "n"]

    /// Parses the arguments after the program name.
    ///
    ///     -t -i -f alice@example.org -N success,delay -R hdrs -V id42 bob@example.com
    ///
    /// - Throws: `SubmissionError` `.usage` for an unknown option, a missing
    ///   argument or a bad `-N`/`-R`/`-V`/`-b` value; `.dataError` for a bad
    ///   sender or recipient address.
    public static func parse(_ arguments: [String]) throws(SubmissionError) -> SendmailOptions {
        var options = SendmailOptions()
        var index = 0
        var operands: [String] = []
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                operands += arguments[index...]
                break
            }
            if word.hasPrefix("--") {
                try options.applyLongOption(word, arguments: arguments, index: &index)
                continue
            }
            guard word.hasPrefix("-"), word.count > 1 else {
                operands.append(word)
                operands += arguments[index...]
                break
            }
            var letters = Substring(word.dropFirst())
            while let option = letters.first {
                letters = letters.dropFirst()
                if ignoredFlags.contains(option) { continue }
                switch option {
                case "t": options.recipientsFromHeaders = true
                case "i": options.ignoreDots = true
                case "v": options.verbose = true
                case _ where withArgument.contains(option):
                    let value: String
                    if !letters.isEmpty {
                        value = String(letters)
                    } else if index < arguments.count {
                        value = arguments[index]
                        index += 1
                    } else {
                        throw SubmissionError(.usage, "option -\(option) needs an argument")
                    }
                    letters = ""
                    try options.apply(option, value, arguments: arguments, index: &index)
                default:
                    throw SubmissionError(.usage, "unknown option -\(option)")
                }
            }
        }
        for operand in operands { options.recipients += try AddressList.parse(operand) }
        return options
    }

    /// Applies an option that takes `value`; `-oQ` may take the next argument too.
    private mutating func apply(_ option: Character, _ value: String, arguments: [String], index: inout Int) throws(SubmissionError) {
        switch option {
        case "f", "r":
            sender = try Self.sender(value)
        case "F":
            fullName = value
        case "N":
            do {
                notify = try DSNNotify.parse(Substring(value))
            } catch {
                throw SubmissionError(.usage, "-N \(value): expected never or a list of success, failure, delay")
            }
        case "R":
            do {
                ret = try DSNReturn.parse(Substring(value))
            } catch {
                throw SubmissionError(.usage, "-R \(value): expected full or hdrs")
            }
        case "V":
            guard !value.isEmpty, value.utf8.count <= EnvelopeIdentifier.maximumLength,
                  value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw SubmissionError(.usage, "-V: the envelope id must be 1 to \(EnvelopeIdentifier.maximumLength) printable ASCII characters without spaces")
            }
            envelopeID = value
        case "b":
            switch value {
            case "m": mode = .submit
            case "s": mode = .smtp
            case "p": mode = .listQueue
            default: throw SubmissionError(.usage, "-b\(value) is not supported (only -bm, -bs and -bp)")
            }
        case "o":
            try applyConfigurationOption(value, arguments: arguments, index: &index)
        default:
            break  // -A, -B, -C, -L, -O, -h, -p: accepted and ignored
        }
    }

    /// `-oi` is `-i`; `-oQDIR` (or `-oQ DIR`) names the journal for offline
    /// submission; every other `-o` option is accepted and ignored (`-odb`,
    /// `-odi`, `-odq`, `-oem`, `-oee`, `-om`, …).
    private mutating func applyConfigurationOption(_ value: String, arguments: [String], index: inout Int) throws(SubmissionError) {
        switch value.first {
        case "i":
            ignoreDots = true
        case "Q":
            var directory = String(value.dropFirst())
            if directory.isEmpty {
                guard index < arguments.count else { throw SubmissionError(.usage, "-oQ needs a queue directory") }
                directory = arguments[index]
                index += 1
            }
            queueDirectory = directory
        default:
            break
        }
    }

    /// Tern's own long options: `--socket PATH` (or `--socket=PATH`).
    private mutating func applyLongOption(_ word: String, arguments: [String], index: inout Int) throws(SubmissionError) {
        let parts = word.split(separator: "=", maxSplits: 1)
        guard parts[0] == "--socket" else { throw SubmissionError(.usage, "unknown option \(parts[0])") }
        if parts.count == 2 {
            controlSocket = String(parts[1])
        } else if index < arguments.count {
            controlSocket = arguments[index]
            index += 1
        } else {
            throw SubmissionError(.usage, "--socket needs a path")
        }
    }

    /// The argument of `-f`: an address, `<address>`, or `<>` / empty for the null sender.
    static func sender(_ value: String) throws(SubmissionError) -> ReversePath {
        let trimmed = value.trimmingWhitespace
        if trimmed.isEmpty || trimmed == "<>" { return .null }
        let addresses = try AddressList.parse(trimmed)
        guard addresses.count == 1, let address = addresses.first else {
            throw SubmissionError(.dataError, "bad sender address \(value)")
        }
        return .mailbox(address)
    }
}
