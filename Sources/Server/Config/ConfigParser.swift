/// Turns configuration text into a ``Configuration``, statement by statement.
///
/// Statements (one per line; see ``Configuration`` for the whole language):
///
///     statement = macro | "hostname" … | "user" … | "smtp" … | "pki" … | "table" … | "queue" …
///               | "limit" … | "delivery" … | "resolver" … | "metrics" … | "control" … | "bounce" …
///               | "listen" … | "action" … | "match" …
///     macro     = NAME "=" value            ; later "$NAME" in an unquoted word position is replaced by value
///
/// Statements may come in any order and refer to names defined later. After a
/// statement fails, parsing resumes at the next one, so every syntax error of
/// a file is collected; the cross-statement checks of ``ConfigValidator`` run
/// only when there is none, so one typo does not cascade into false reports.
struct ConfigParser {
    /// The statement keywords; they cannot be macro names.
    static let statementKeywords = [
        "action", "bounce", "control", "delivery", "hostname", "limit", "listen", "match",
        "metrics", "pki", "queue", "resolver", "smtp", "table", "user",
    ]

    var config: Configuration
    var sources = ConfigSourceMap()
    var errors: [ConfigError] = []
    private var macros: [String: (value: String, location: ConfigLocation)] = [:]

    private init(hostname: String) {
        self.config = Configuration(hostname: hostname)
        self.config.listeners = []
    }

    /// Parses `text` and validates the result. The configuration is meaningful only when the error list is empty.
    static func parse(text: String, fileName: String, hostname: String) -> (Configuration, [ConfigError]) {
        var parser = ConfigParser(hostname: hostname)
        let tokens = ConfigLexer.tokenize(text, file: fileName)
        var statement: [ConfigToken] = []
        for token in tokens {
            statement.append(token)
            if token.endsStatement {
                if statement.count > 1 { parser.parseStatement(statement) }
                statement = []
            }
        }
        parser.finish()
        if parser.errors.isEmpty {
            parser.errors = ConfigValidator(config: parser.config, sources: parser.sources).validate()
        }
        return (parser.config, parser.errors)
    }

    // MARK: - Statements

    private mutating func parseStatement(_ rawTokens: [ConfigToken]) {
        do throws(ConfigError) {
            if rawTokens.count > 2, rawTokens[1].kind == .equals {
                var cursor = StatementCursor(try expandMacros(Array(rawTokens[1...])))
                cursor.advance()
                try defineMacro(named: rawTokens[0], &cursor)
                return
            }
            var cursor = StatementCursor(try expandMacros(rawTokens))
            guard let keyword = cursor.current.keyword else {
                throw cursor.failure(expected: "a statement keyword or a macro definition")
            }
            let location = cursor.advance().location
            switch keyword {
            case "hostname": try parseHostname(&cursor, at: location)
            case "user": try parseUser(&cursor, at: location)
            case "smtp": try parseSMTP(&cursor)
            case "pki": try parsePKI(&cursor, at: location)
            case "table": try parseTable(&cursor)
            case "queue": try parseQueue(&cursor)
            case "limit": try parseLimit(&cursor)
            case "delivery": try parseDelivery(&cursor)
            case "resolver": try parseResolver(&cursor, at: location)
            case "metrics": try parseMetrics(&cursor, at: location)
            case "control": try parseControl(&cursor, at: location)
            case "bounce": try parseBounce(&cursor)
            case "listen": try parseListen(&cursor, at: location)
            case "action": try parseAction(&cursor)
            case "match": try parseMatch(&cursor, at: location)
            default:
                throw ConfigError(
                    .syntax, at: location,
                    "unknown keyword '\(keyword)'; expected one of \(Self.statementKeywords.joined(separator: ", ")) or a macro definition 'name = value'"
                )
            }
            try cursor.expectEnd()
        } catch {
            errors.append(error)
        }
    }

    /// Replaces every unquoted `$name` word with the macro's value.
    private func expandMacros(_ tokens: [ConfigToken]) throws(ConfigError) -> [ConfigToken] {
        var result = tokens
        for (index, token) in tokens.enumerated() {
            guard let word = token.keyword, word.hasPrefix("$") else { continue }
            let name = String(word.dropFirst())
            guard let macro = macros[name] else {
                throw ConfigError(.undefinedReference, at: token.location, "undefined macro '$\(name)'; define it first with '\(name.isEmpty ? "name" : name) = value'")
            }
            result[index].kind = .word(macro.value)
        }
        return result
    }

    /// `NAME = value`
    private mutating func defineMacro(named nameToken: ConfigToken, _ cursor: inout StatementCursor) throws(ConfigError) {
        guard let name = nameToken.keyword, !name.isEmpty,
            name.unicodeScalars.allSatisfy({ $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) })
        else {
            throw ConfigError(.syntax, at: nameToken.location, "expected a macro name (letters, digits, '_') before '=', found \(nameToken.quotedDescription)")
        }
        guard !Self.statementKeywords.contains(name) else {
            throw ConfigError(.syntax, at: nameToken.location, "'\(name)' is a keyword and cannot be a macro name")
        }
        if let earlier = macros[name] {
            throw ConfigError(.duplicateDefinition, at: nameToken.location, "macro '\(name)' is already defined at \(earlier.location)")
        }
        let (value, _) = try cursor.value("a macro value")
        try cursor.expectEnd()
        macros[name] = (value, nameToken.location)
    }

    // MARK: - Shared helpers

    /// Records that `key` is set at `location`, failing if it was set before.
    mutating func claim(_ key: String, at location: ConfigLocation) throws(ConfigError) {
        if let earlier = sources.settings[key] {
            throw ConfigError(.duplicateDefinition, at: location, "'\(key)' is already set at \(earlier)")
        }
        sources.settings[key] = location
    }

    /// `hostname NAME`
    private mutating func parseHostname(_ cursor: inout StatementCursor, at location: ConfigLocation) throws(ConfigError) {
        let (name, _) = try cursor.hostName()
        try claim("hostname", at: location)
        config.hostname = name
    }

    /// ```
    /// user = "user" NAME
    /// ```
    private mutating func parseUser(_ cursor: inout StatementCursor, at location: ConfigLocation) throws(ConfigError) {
        let (name, _) = try cursor.name("a user name")
        try claim("user", at: location)
        config.user = name
    }

    /// Fills in what depends on the whole file: the default listener and host-name defaults.
    private mutating func finish() {
        if config.listeners.isEmpty {
            config.listeners = [
                ListenerConfig(
                    address: .ip(ConfigDefaults.listenAddress),
                    port: ConfigDefaults.listenPort,
                    hostname: config.hostname
                )
            ]
        }
        for index in sources.listenersWithoutHostname {
            config.listeners[index].hostname = config.hostname
        }
        for name in sources.relaysWithoutHelo {
            guard case .relay(var relay)? = config.actions[name]?.method else { continue }
            relay.helo = config.hostname
            config.actions[name]?.method = .relay(relay)
        }
        for name in sources.backupsWithoutMXName {
            guard case .relay(var relay)? = config.actions[name]?.method else { continue }
            relay.route = .backup(mxName: config.hostname)
            config.actions[name]?.method = .relay(relay)
        }
    }
}
