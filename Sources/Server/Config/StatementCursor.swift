/// Walks the tokens of one statement and turns unmet expectations into
/// ``ConfigError``s of the form `expected X after 'Y', found 'Z'`.
///
/// The token array always ends with the statement's terminator
/// (``ConfigToken/Kind/endOfLine`` or ``ConfigToken/Kind/endOfFile``), so
/// `current` is always valid and the cursor never moves past it.
struct StatementCursor {
    private let tokens: [ConfigToken]
    private var index = 0

    /// A cursor over `tokens`, which must end with a terminator.
    init(_ tokens: [ConfigToken]) {
        self.tokens = tokens
    }

    /// The token under the cursor.
    var current: ConfigToken { tokens[index] }

    /// The token before the cursor, if any.
    var previous: ConfigToken? { index > 0 ? tokens[index - 1] : nil }

    /// Whether the statement has no more tokens.
    var atEnd: Bool { current.endsStatement }

    /// Consumes and returns the current token (the terminator stays put).
    @discardableResult
    mutating func advance() -> ConfigToken {
        let token = current
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// An error saying `what` was expected at the current token. If the current
    /// token is invalid, the lexer's reason is reported instead.
    func failure(expected what: String, kind: ConfigError.Kind = .syntax) -> ConfigError {
        if case .invalid(let reason) = current.kind {
            return ConfigError(.lexical, at: current.location, reason)
        }
        let after = previous.map { " after \($0.quotedDescription)" } ?? ""
        return ConfigError(kind, at: current.location, "expected \(what)\(after), found \(current.quotedDescription)")
    }

    /// Consumes the current token if it is the unquoted word `keyword`.
    mutating func accept(_ keyword: String) -> Bool {
        guard current.keyword == keyword else { return false }
        advance()
        return true
    }

    /// Consumes the unquoted word `keyword`, or fails.
    mutating func expect(_ keyword: String) throws(ConfigError) {
        guard accept(keyword) else { throw failure(expected: "'\(keyword)'") }
    }

    /// Consumes one of `keywords` and returns it with its location, or fails saying `what` was expected.
    mutating func expectKeyword(_ what: String, among keywords: [String]) throws(ConfigError) -> (String, ConfigLocation) {
        guard let word = current.keyword, keywords.contains(word) else { throw failure(expected: what) }
        return (word, advance().location)
    }

    /// Consumes a word or a string and returns its text and location.
    mutating func value(_ what: String) throws(ConfigError) -> (String, ConfigLocation) {
        guard let text = current.valueText else { throw failure(expected: what) }
        return (text, advance().location)
    }

    /// Consumes a word or string that `parse` accepts; a value it rejects is an ``ConfigError/Kind/invalidValue``.
    mutating func parsed<T>(_ what: String, _ parse: (String) -> T?) throws(ConfigError) -> (T, ConfigLocation) {
        guard let text = current.valueText else { throw failure(expected: what) }
        guard let result = parse(text) else { throw failure(expected: what, kind: .invalidValue) }
        return (result, advance().location)
    }

    /// Consumes a value parsed by a ``ConfigValue`` function, telling malformed from too large.
    mutating func measured<T>(_ what: String, noun: String, limit: String, _ parse: (String) -> Result<T, ConfigValue.Problem>) throws(ConfigError) -> (T, ConfigLocation) {
        guard let text = current.valueText else { throw failure(expected: what) }
        switch parse(text) {
        case .success(let result):
            return (result, advance().location)
        case .failure(.malformed):
            throw failure(expected: what, kind: .invalidValue)
        case .failure(.tooLarge):
            let after = previous.map { " after \($0.quotedDescription)" } ?? ""
            throw ConfigError(.invalidValue, at: current.location, "\(noun) \(current.quotedDescription)\(after) is too large; \(limit)")
        }
    }

    /// Consumes a positive integer.
    mutating func count(_ what: String = "a positive number") throws(ConfigError) -> (Int, ConfigLocation) {
        try measured(what, noun: "number", limit: "the largest is \(Int.max)") { text in
            ConfigValue.integer(Substring(text)).flatMap { $0 > 0 ? .success($0) : .failure(.malformed) }
        }
    }

    /// Consumes a port number, 1 to 65535.
    mutating func port() throws(ConfigError) -> (Int, ConfigLocation) {
        guard let text = current.valueText else { throw failure(expected: "a port number") }
        switch ConfigValue.integer(Substring(text)) {
        case .success(let port) where (1...65535).contains(port):
            return (port, advance().location)
        case .success, .failure(.tooLarge):
            throw failure(expected: "a port number (1-65535)", kind: .invalidValue)
        case .failure(.malformed):
            throw failure(expected: "a port number", kind: .invalidValue)
        }
    }

    /// Consumes a duration.
    mutating func duration(positive: Bool = true) throws(ConfigError) -> (Duration, ConfigLocation) {
        let what = "a duration (such as 30s, 5m, 4h, 4d, 1w)"
        return try measured(what, noun: "duration", limit: "the largest is \(ConfigValue.format(ConfigValue.maximumDuration))") { text in
            ConfigValue.duration(text).flatMap { !positive || $0 > .zero ? .success($0) : .failure(.malformed) }
        }
    }

    /// Consumes a positive size.
    mutating func size() throws(ConfigError) -> (Int, ConfigLocation) {
        try measured("a size (such as 512, 64K, 35M, 1G)", noun: "size", limit: "the largest is \(Int.max) bytes") { text in
            ConfigValue.size(text).flatMap { $0 > 0 ? .success($0) : .failure(.malformed) }
        }
    }

    /// Consumes a `<table>` reference.
    mutating func tableReference(_ what: String = "a table reference such as <name>") throws(ConfigError) -> (String, ConfigLocation) {
        guard case .tableReference(let name) = current.kind else { throw failure(expected: what) }
        return (name, advance().location)
    }

    /// Consumes a name (of a table, pki, action or tag), quoted or not.
    mutating func name(_ what: String) throws(ConfigError) -> (String, ConfigLocation) {
        try parsed(what) { ConfigValue.isName($0) ? $0 : nil }
    }

    /// Consumes a host name.
    mutating func hostName(_ what: String = "a host name") throws(ConfigError) -> (String, ConfigLocation) {
        try parsed(what) { ConfigValue.isHostName($0) ? $0 : nil }
    }

    /// Consumes a literal IP address.
    mutating func ipAddress(_ what: String = "an IP address") throws(ConfigError) -> (IPLiteral, ConfigLocation) {
        try parsed(what) { IPLiteral($0) }
    }

    /// Fails unless the statement is over.
    func expectEnd() throws(ConfigError) {
        guard atEnd else { throw failure(expected: "end of line") }
    }
}
