// Rule evaluation: which action, if any, takes a recipient.
extension Configuration {
    /// Evaluates the rules in order for one recipient; the first rule whose
    /// criteria all hold decides.
    ///
    /// - `from local`: `clientIsLocal`, or a loopback client address.
    /// - `from src`: the client address is in the netmask or table.
    /// - `from auth [<t>]`: the session authenticated (as a user in `t`).
    /// - `from mail-from`, `for rcpt`: the address, or `@domain`, is the literal
    ///   or in the table; the null sender matches only `<>`.
    /// - `tag T`: the listener's tag is exactly `T`.
    /// - `for domain`: the domain equals the literal or is in the table.
    /// - `for local`: the domain is `localhost`, `localhost.localdomain`,
    ///   ``hostname`` or in the table `localnames` if it is defined.
    ///
    /// Domains and addresses compare without regard to case, and a trailing dot
    /// on the recipient domain is ignored.
    public func route(for facts: RoutingFacts, tables: some TableLookup) -> RouteDecision {
        let context = RoutingContext(configuration: self, facts: facts, tables: tables)
        for rule in rules where rule.criteria.allSatisfy({ context.holds($0.condition) != $0.isNegated }) {
            switch rule.decision {
            case .action(let name): return .action(name)
            case .reject: return .reject
            }
        }
        return .noMatch
    }

    /// ``route(for:tables:)`` with the configuration's inline tables only.
    public func route(for facts: RoutingFacts) -> RouteDecision {
        route(for: facts, tables: InMemoryTableLookup(self))
    }
}

/// One recipient's facts, normalised once, against one configuration.
private struct RoutingContext<Tables: TableLookup> {
    let configuration: Configuration
    let facts: RoutingFacts
    let tables: Tables
    let domain: String
    let client: IPLiteral?

    init(configuration: Configuration, facts: RoutingFacts, tables: Tables) {
        self.configuration = configuration
        self.facts = facts
        self.tables = tables
        var domain = facts.recipientDomain.lowercased()
        if domain.hasSuffix(".") { domain.removeLast() }
        self.domain = domain
        self.client = IPLiteral(facts.clientAddress)
    }

    func holds(_ condition: MatchRule.Condition) -> Bool {
        switch condition {
        case .fromAny, .forAny:
            return true
        case .fromLocal:
            return facts.clientIsLocal || client?.isLoopback == true
        case .fromSource(.network(let network)):
            return client.map(network.contains) ?? false
        case .fromSource(.table(let table)):
            return tables.containsNetwork(table: table, address: facts.clientAddress)
        case .fromAuthenticated(let table):
            guard let user = facts.authenticatedUser else { return false }
            // A list of user names, or the credentials table itself.
            return table.map { tables.contains(table: $0, key: user, service: .mailaddr) || tables.contains(table: $0, key: user, service: .credentials) } ?? true
        case .fromSender(let pattern):
            return addressMatches(pattern, facts.sender)
        case .tag(let tag):
            return facts.listenerTag == tag
        case .forLocal:
            if ConfigDefaults.localDomains.contains(domain) || domain == configuration.hostname.lowercased() { return true }
            return configuration.tables[ConfigDefaults.localNamesTable] != nil
                && tables.contains(table: ConfigDefaults.localNamesTable, key: domain, service: .domain)
        case .forDomain(.literal(let literal)):
            return literal.lowercased() == domain
        case .forDomain(.table(let table)):
            return tables.contains(table: table, key: domain, service: .domain)
        case .forRecipient(let pattern):
            return addressMatches(pattern, "\(facts.recipientLocalPart)@\(domain)")
        }
    }

    /// Whether `address` (empty for the null sender) is, or is at a domain that is, in `pattern`.
    private func addressMatches(_ pattern: MatchRule.Pattern, _ address: String) -> Bool {
        var keys = ["<>"]
        if !address.isEmpty {
            keys = [address.lowercased()]
            if let at = address.lastIndex(of: "@") {
                keys.append(String(address[at...]).lowercased())
            }
        }
        switch pattern {
        case .literal(let literal):
            return keys.contains(literal.lowercased())
        case .table(let table):
            return keys.contains { tables.contains(table: table, key: $0, service: .mailaddr) }
        }
    }
}
