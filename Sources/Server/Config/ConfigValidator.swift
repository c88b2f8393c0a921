/// The checks that need the whole file, run after a parse without syntax errors.
///
/// - Every referenced table, pki and action is defined, and tables fit their
///   use: credentials, aliases, virtual users and user bases need `key = value`
///   entries; an inline table used by `from src` holds only addresses and netmasks.
/// - Delay warnings come before expiry, globally and for each `queue domain`
///   once merged with the globals. (A retry range is checked where it is
///   written: it always sets both bounds.)
/// - No rule is shadowed: a rule whose criteria imply all of an earlier
///   rule's can never match (the earlier one always wins), nor can a `tag` rule
///   for a tag no listener has or an `auth` rule when no listener offers AUTH.
/// - No rule relays from any client to any domain (an open relay).
struct ConfigValidator {
    let config: Configuration
    let sources: ConfigSourceMap

    /// Every problem found, in file order.
    func validate() -> [ConfigError] {
        var errors = referenceErrors() + queueErrors() + ruleErrors()
        errors.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        return errors
    }

    // MARK: - References

    private func referenceErrors() -> [ConfigError] {
        var errors: [ConfigError] = []
        for (reference, location) in sources.references {
            switch reference {
            case .pki(let name) where config.pkis[name] == nil:
                errors.append(ConfigError(.undefinedReference, at: location, "undefined pki '\(name)'; define it with 'pki \(name) cert PATH key PATH'"))
            case .action(let name) where config.actions[name] == nil:
                errors.append(ConfigError(.undefinedReference, at: location, "undefined action '\(name)'; define it with 'action \"\(name)\" …'"))
            case .table(let name, let use):
                errors += tableErrors(name, use: use, at: location)
            default:
                break
            }
        }
        return errors
    }

    private func tableErrors(_ name: String, use: ConfigSourceMap.TableUse, at location: ConfigLocation) -> [ConfigError] {
        guard let table = config.tables[name] else {
            return [ConfigError(.undefinedReference, at: location, "undefined table <\(name)>; define it with 'table \(name) …'")]
        }
        if use.needsMap, case .list = table {
            return [ConfigError(.inconsistent, at: location, "table <\(name)> is used for \(use.phrase) and needs 'key = value' entries")]
        }
        guard use == .networks else { return [] }
        let entries = sources.tableEntries[name] ?? [:]
        return table.inlineKeys.compactMap { key in
            guard IPNetmask(key) == nil else { return nil }
            return ConfigError(
                .invalidValue, at: entries[key.lowercased()] ?? location,
                "entry '\(key)' of table <\(name)> is not an address or netmask, but the table is used by 'from src' at \(location)"
            )
        }
    }

    // MARK: - Queue

    private func queueErrors() -> [ConfigError] {
        var errors: [ConfigError] = []
        let global = config.queue.globalPolicy
        if global.warn >= global.expire {
            let location = sources.settingLocation("queue warn") ?? sources.settingLocation("queue expire")
            if let location {
                errors.append(warnError(global, at: location, scope: ""))
            }
        }
        for domain in config.queue.domainOverrides.keys.sorted() {
            guard let location = sources.queueOverrides[domain] else { continue }
            let policy = config.queue.policy(forDomain: domain)
            if policy.warn >= policy.expire {
                errors.append(warnError(policy, at: location, scope: "for \(domain), "))
            }
        }
        return errors
    }

    private func warnError(_ policy: QueueConfig.Policy, at location: ConfigLocation, scope: String) -> ConfigError {
        ConfigError(
            .inconsistent, at: location,
            "\(scope)'warn' (\(ConfigValue.format(policy.warn))) must be shorter than 'expire' (\(ConfigValue.format(policy.expire))), or no delay warning is ever sent"
        )
    }

    // MARK: - Rules

    private func ruleErrors() -> [ConfigError] {
        var errors: [ConfigError] = []
        let tags = Set(config.listeners.compactMap(\.tag))
        let offersAuth = config.listeners.contains { $0.auth != .none }
        let shadowers = shadowingRules()
        for (index, rule) in config.rules.enumerated() {
            let location = sources.rules[index]
            if let earlier = shadowers[index] {
                errors.append(ConfigError(
                    .inconsistent, at: location,
                    "this rule can never match: the rule at \(sources.rules[earlier]) matches every recipient it would"
                ))
                continue
            }
            for criterion in rule.criteria where !criterion.isNegated {
                if case .tag(let tag) = criterion.condition, !tags.contains(tag) {
                    errors.append(ConfigError(.inconsistent, at: location, "this rule can never match: no listener has 'tag \(tag)'"))
                }
                if case .fromAuthenticated = criterion.condition, !offersAuth {
                    errors.append(ConfigError(.inconsistent, at: location, "this rule can never match: no listener offers AUTH ('auth' or 'auth-optional')"))
                }
            }
            if isOpenRelay(rule) {
                errors.append(ConfigError(
                    .inconsistent, at: location,
                    "this rule relays mail from any client to any domain (an open relay); restrict it with 'from local', 'from src', 'from auth' or 'tag', or with 'for domain'"
                ))
            }
        }
        return errors
    }

    /// For each rule, the first earlier rule whose criteria all follow from its own
    /// (so it always matches first), if any. Criteria that always hold (`from any`,
    /// `for any`) are left out, so a rule left with none matches everything.
    ///
    /// Each earlier rule is filed under the one of its criteria filed least
    /// often so far, and a rule is compared only with the rules filed under a
    /// criterion it implies, so thousands of rules check in near-linear time.
    private func shadowingRules() -> [Int?] {
        var filed: [MatchRule.Criterion: [Int]] = [:]
        var networks: Set<MatchRule.Criterion> = []
        var catchAll: Int?
        var significant: [Set<MatchRule.Criterion>] = []
        var result: [Int?] = []
        for (index, rule) in config.rules.enumerated() {
            let own = Set(rule.criteria.filter { $0.isNegated || ($0.condition != .fromAny && $0.condition != .forAny) })
            var implied = own
            for criterion in own where !criterion.isNegated {
                if case .fromAuthenticated(table: .some) = criterion.condition {
                    implied.insert(MatchRule.Criterion(.fromAuthenticated(table: nil)))
                }
                if case .fromSource(.network) = criterion.condition {
                    implied.formUnion(networks.filter { Self.implies(criterion, $0) })
                }
            }
            let candidates = implied.flatMap { filed[$0] ?? [] } + (catchAll.map { [$0] } ?? [])
            result.append(candidates.filter { significant[$0].isSubset(of: implied) }.min())
            significant.append(own)
            if let key = own.min(by: { (filed[$0]?.count ?? 0) < (filed[$1]?.count ?? 0) }) {
                filed[key, default: []].append(index)
            } else if catchAll == nil {
                catchAll = index
            }
            for criterion in own where !criterion.isNegated {
                if case .fromSource(.network) = criterion.condition { networks.insert(criterion) }
            }
        }
        return result
    }

    /// Whether every recipient that meets `criterion` also meets `other`.
    private static func implies(_ criterion: MatchRule.Criterion, _ other: MatchRule.Criterion) -> Bool {
        if criterion == other { return true }
        guard !criterion.isNegated, !other.isNegated else { return false }
        switch (criterion.condition, other.condition) {
        case (.fromAuthenticated, .fromAuthenticated(table: nil)):
            return true
        case (.fromSource(.network(let inner)), .fromSource(.network(let outer))):
            return outer.contains(inner.address) && outer.prefixLength <= inner.prefixLength
        default:
            return false
        }
    }

    /// Whether `rule` relays without restricting either the client or the destination.
    private func isOpenRelay(_ rule: MatchRule) -> Bool {
        guard case .action(let name) = rule.decision, case .relay? = config.actions[name]?.method else { return false }
        return !rule.criteria.contains { criterion in
            guard !criterion.isNegated else { return false }
            switch criterion.condition {
            case .fromLocal, .fromSource, .fromAuthenticated, .tag, .forLocal, .forDomain, .forRecipient: return true
            case .fromAny, .fromSender, .forAny: return false
            }
        }
    }
}
