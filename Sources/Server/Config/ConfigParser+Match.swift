// The match statement.
extension ConfigParser {
    /// ```
    /// match     = "match" criterion* ( "action" NAME | "reject" )
    /// criterion = ["!"] ( "from" FROM | "tag" NAME | "for" FOR )
    /// FROM      = "any" | "local" | "src" (TABLE | NETMASK) | "auth" [TABLE] | "mail-from" (TABLE | ADDRESS)
    /// FOR       = "any" | "local" | "domain" (TABLE | DOMAIN) | "rcpt" (TABLE | ADDRESS)
    /// ADDRESS   = "user@domain" | "@domain" | "<>"        ; "<>", the null sender, only for mail-from
    /// ```
    ///
    /// Each kind of criterion appears at most once per rule. Without a `from`
    /// or `tag` criterion the rule gets `from local` (first); without a `for`
    /// criterion it gets `for local` (last).
    mutating func parseMatch(_ cursor: inout StatementCursor, at location: ConfigLocation) throws(ConfigError) {
        var criteria: [MatchRule.Criterion] = []
        var seen: [String: ConfigLocation] = [:]
        var references: [(ConfigSourceMap.Reference, ConfigLocation)] = []
        let decision: MatchRule.Decision
        while true {
            if cursor.accept("reject") {
                decision = .reject
                break
            }
            if cursor.accept("action") {
                let (name, nameLocation) = try cursor.name("an action name")
                references.append((.action(name), nameLocation))
                decision = .action(name)
                break
            }
            let negated = cursor.current.kind == .bang
            let start = cursor.current.location
            if negated { cursor.advance() }
            let what = negated ? "'from', 'for' or 'tag'" : "a criterion ('from', 'for', 'tag'), 'action NAME' or 'reject'"
            let (keyword, _) = try cursor.expectKeyword(what, among: ["from", "for", "tag"])
            let (condition, kind, reference) = try parseCondition(keyword, &cursor)
            if let earlier = seen[kind] {
                throw ConfigError(.duplicateDefinition, at: start, "duplicate '\(kind)' criterion in this rule; it is already at \(earlier)")
            }
            seen[kind] = start
            if negated, condition == .fromAny || condition == .forAny {
                throw ConfigError(.inconsistent, at: start, "'! \(kind)' can never match")
            }
            if let reference { references.append(reference) }
            criteria.append(MatchRule.Criterion(condition, negated: negated))
        }
        if !criteria.contains(where: { $0.condition.isSessionCriterion }) {
            criteria.insert(MatchRule.Criterion(.fromLocal), at: 0)
        }
        if criteria.allSatisfy(\.condition.isSessionCriterion) {
            criteria.append(MatchRule.Criterion(.forLocal))
        }
        sources.references += references.map { ($0.0, $0.1) }
        sources.rules.append(location)
        config.rules.append(MatchRule(criteria: criteria, decision: decision))
    }

    private typealias ParsedCondition = (MatchRule.Condition, kind: String, reference: (ConfigSourceMap.Reference, ConfigLocation)?)

    private func parseCondition(_ keyword: String, _ cursor: inout StatementCursor) throws(ConfigError) -> ParsedCondition {
        if keyword == "tag" {
            let (tag, _) = try cursor.name("a tag name")
            return (.tag(tag), "tag", nil)
        }
        let options = keyword == "from" ? ["any", "local", "src", "auth", "mail-from"] : ["any", "local", "domain", "rcpt"]
        let (option, _) = try cursor.expectKeyword(options.map { "'\($0)'" }.joined(separator: ", "), among: options)
        let kind = "\(keyword) \(option)"
        switch (keyword, option) {
        case ("from", "any"): return (.fromAny, kind, nil)
        case ("from", "local"): return (.fromLocal, kind, nil)
        case ("for", "any"): return (.forAny, kind, nil)
        case ("for", "local"): return (.forLocal, kind, nil)
        case ("from", "auth"):
            guard case .tableReference(let table) = cursor.current.kind else { return (.fromAuthenticated(table: nil), kind, nil) }
            let location = cursor.advance().location
            return (.fromAuthenticated(table: table), kind, (.table(table, .keys), location))
        case ("from", "src"):
            if case .tableReference(let table) = cursor.current.kind {
                let location = cursor.advance().location
                return (.fromSource(.table(table)), kind, (.table(table, .networks), location))
            }
            let (network, _) = try cursor.parsed("a table such as <trusted>, or an address or netmask such as \"192.0.2.0/24\"") { IPNetmask($0) }
            return (.fromSource(.network(network)), kind, nil)
        case ("for", "domain"):
            let (pattern, reference) = try pattern(&cursor, what: "a table such as <domains>, or a domain name") {
                ConfigValue.isHostName($0)
            }
            return (.forDomain(pattern), kind, reference)
        case ("for", _):
            let (pattern, reference) = try pattern(&cursor, what: "a table such as <rcpts>, or an address such as \"user@example.com\" or \"@example.com\"") {
                Self.isAddressPattern($0)
            }
            return (.forRecipient(pattern), kind, reference)
        default:
            let (pattern, reference) = try pattern(&cursor, what: "a table such as <senders>, or an address such as \"user@example.com\", \"@example.com\" or \"<>\"") {
                $0 == "<>" || Self.isAddressPattern($0)
            }
            return (.fromSender(pattern), kind, reference)
        }
    }

    private func pattern(
        _ cursor: inout StatementCursor,
        what: String,
        valid: (String) -> Bool
    ) throws(ConfigError) -> (MatchRule.Pattern, (ConfigSourceMap.Reference, ConfigLocation)?) {
        if case .tableReference(let table) = cursor.current.kind {
            let location = cursor.advance().location
            return (.table(table), (.table(table, .keys), location))
        }
        let (literal, _) = try cursor.parsed(what) { valid($0) ? $0 : nil }
        return (.literal(literal), nil)
    }

    /// `user@domain` or `@domain`.
    static func isAddressPattern(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = String(text[text.index(after: at)...])
        return ConfigValue.isHostName(domain) && !local.contains(where: { $0 == " " || $0 == "\t" })
    }
}
