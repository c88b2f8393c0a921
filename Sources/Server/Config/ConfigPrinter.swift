import Envelope

/// Writes a ``Configuration`` back in the configuration language with every
/// default explicit: the text behind ``Configuration/effectiveDescription``.
///
/// Global settings come first, then queue and limits, pkis, tables, listeners,
/// actions and rules. Names whose order carries no meaning (pkis, tables,
/// actions, per-domain overrides) are sorted; listeners and rules keep their
/// order. Parsing the output yields an equal configuration.
enum ConfigPrinter {
    /// The configuration as text.
    static func print(_ config: Configuration) -> String {
        var globals = config.user.map { ["user \(word($0))"] } ?? []
        globals += smtpLines(config.smtp)
        globals += bounceLines(config.bounce)
        globals.append(config.resolver.map { "resolver \($0.address) port \($0.port)" } ?? "resolver system")
        globals.append(config.metrics.map { "metrics listen on \($0.address) port \($0.port)" } ?? "metrics none")
        globals.append("control socket \(quoted(config.controlSocketPath))")
        let names = config.pkis.values.sorted { $0.name < $1.name }.map { pki in
            "pki \(pki.name) cert \(quoted(pki.certificatePath)) key \(quoted(pki.keyPath))"
        } + config.tables.sorted { $0.key < $1.key }.map { "table \($0.key) \(tableText($0.value))" }
        let sections = [
            ["# Effective configuration: every default is explicit.", "hostname \(word(config.hostname))"],
            globals,
            queueLines(config.queue) + limitLines(config.limits) + ["delivery priority \(config.deliveryPriority.rawValue)"],
            names,
            config.listeners.map(listenerLine),
            config.actions.values.sorted { $0.name < $1.name }.map(actionLine),
            config.rules.map(ruleLine),
        ]
        return sections.filter { !$0.isEmpty }.map { $0.joined(separator: "\n") + "\n" }.joined(separator: "\n")
    }

    // MARK: - Words and strings

    /// `text` in double quotes, with `"` `\` newline and tab escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `text` bare when it lexes back as the same single word, quoted otherwise.
    static func word(_ text: String) -> String {
        let bare = !text.isEmpty
            && !text.hasPrefix("!") && !text.hasPrefix("$")
            && !text.contains("%")
            && text.unicodeScalars.allSatisfy(ConfigLexer.isWordScalar)
        return bare ? text : quoted(text)
    }

    // MARK: - Sections

    private static func smtpLines(_ smtp: SMTPConfig) -> [String] {
        let limits = smtp.limits
        let timeouts = smtp.timeouts
        let format = ConfigValue.format(_:)
        return [
            "smtp max-message-size \(ConfigValue.format(size: smtp.maxMessageSize))",
            "smtp limits recipients \(limits.recipientsPerMessage) sessions \(limits.sessions) per-client \(limits.sessionsPerClient)"
                + " errors \(limits.errorsPerSession) line-length \(limits.lineLength) command-length \(limits.commandLength)",
            "smtp timeout command \(format(timeouts.command)) data \(format(timeouts.data)) initial \(format(timeouts.initial))"
                + " mail \(format(timeouts.mail)) rcpt \(format(timeouts.recipient)) data-init \(format(timeouts.dataInitiation))"
                + " data-block \(format(timeouts.dataBlock)) data-termination \(format(timeouts.dataTermination))",
            "smtp reject-delay \(format(smtp.rejectDelay))",
            "smtp bare-lf \(smtp.bareLineFeed.rawValue)",
        ]
    }

    private static func bounceLines(_ bounce: BounceConfig) -> [String] {
        [
            "bounce warn-on-missing-notify \(bounce.warnOnMissingNotify ? "yes" : "no")",
            "bounce return \(bounce.defaultReturn == .full ? "full" : "headers")",
            "bounce max-return-size \(ConfigValue.format(size: bounce.maximumReturnedSize))",
            "bounce postmaster \(bounce.postmaster.map { word($0.description) } ?? "none")",
        ]
    }

    private static func queueLines(_ queue: QueueConfig) -> [String] {
        let format = ConfigValue.format(_:)
        var lines = [
            "queue path \(quoted(queue.path)) retry \(format(queue.retryMinimum))..\(format(queue.retryMaximum))"
                + " expire \(format(queue.expire)) warn \(format(queue.warn)) retention \(format(queue.retention))"
                + " map-size \(ConfigValue.format(size: queue.mapSize))"
        ]
        for domain in queue.domainOverrides.keys.sorted() {
            guard let override = queue.domainOverrides[domain] else { continue }
            var line = "queue domain \(quoted(domain))"
            if let minimum = override.retryMinimum, let maximum = override.retryMaximum {
                line += " retry \(format(minimum))..\(format(maximum))"
            }
            if let expire = override.expire { line += " expire \(format(expire))" }
            if let warn = override.warn { line += " warn \(format(warn))" }
            lines.append(line)
        }
        return lines
    }

    private static func limitLines(_ limits: DeliveryLimitsConfig) -> [String] {
        let defaults = limits.defaultLimits
        var lines = [
            "limit default connections \(defaults.connections) messages-per-connection \(defaults.messagesPerConnection) rate \(rateText(defaults.rate))"
        ]
        for domain in limits.domainOverrides.keys.sorted() {
            guard let override = limits.domainOverrides[domain] else { continue }
            var line = "limit domain \(quoted(domain))"
            if let connections = override.connections { line += " connections \(connections)" }
            if let messages = override.messagesPerConnection { line += " messages-per-connection \(messages)" }
            if let rate = override.rate { line += " rate \(rateText(rate))" }
            lines.append(line)
        }
        return lines
    }

    private static func rateText(_ rate: DeliveryLimitsConfig.RateSetting) -> String {
        switch rate {
        case .unlimited: "unlimited"
        case .limited(let count, let unit): "\(count)/\(unit.rawValue)"
        }
    }

    private static func tableText(_ table: TableDefinition) -> String {
        switch table {
        case .list(let entries):
            entries.isEmpty ? "{ }" : "{ " + entries.map(word).joined(separator: ", ") + " }"
        case .map(let entries):
            entries.isEmpty
                ? "{ }" : "{ " + entries.keys.sorted().map { "\(word($0)) = \(word(entries[$0] ?? ""))" }.joined(separator: ", ") + " }"
        case .file(let path):
            word("file:" + path)
        case .sqlite(let path):
            word("sqlite:" + path)
        }
    }

    private static func listenerLine(_ listener: ListenerConfig) -> String {
        var line = "listen on \(listener.address) port \(listener.port)"
        switch listener.tls {
        case .none: break
        case .startTLS: line += " tls"
        case .startTLSRequired: line += " tls-require"
        case .implicitTLS: line += " smtps"
        }
        if let pki = listener.pki { line += " pki \(pki)" }
        switch listener.auth {
        case .none: break
        case .required(let table): line += " auth <\(table)>"
        case .optional(let table): line += " auth-optional <\(table)>"
        }
        if listener.allowsPlaintextAuth { line += " insecure" }
        line += " hostname \(word(listener.hostname))"
        if let tag = listener.tag { line += " tag \(tag)" }
        if listener.masksSource { line += " mask-src" }
        if listener.suppressesReports { line += " no-dsn" }
        return line
    }

    private static func actionLine(_ action: ActionConfig) -> String {
        var line = "action \(quoted(action.name)) "
        switch action.method {
        case .maildir(let path): line += "maildir \(quoted(path))"
        case .mbox(let path): line += "mbox \(quoted(path))"
        case .mda(let command): line += "mda \(quoted(command))"
        case .lmtp(let destination, let usesRecipientAddress):
            line += "lmtp \(quoted(destination.description))" + (usesRecipientAddress ? " rcpt-to" : "")
        case .relay(let relay): line += relayText(relay)
        }
        if let table = action.aliasTable { line += " alias <\(table)>" }
        if let table = action.virtualTable { line += " virtual <\(table)>" }
        if let table = action.userbaseTable { line += " userbase <\(table)>" }
        if action.usesForwardFile { line += " forward-file" }
        return line
    }

    private static func relayText(_ relay: RelayConfig) -> String {
        var text = "relay"
        switch relay.route {
        case .mx: break
        case .host(let host): text += " host \(word(host.description))"
        case .backup(let mxName): text += " backup mx \(word(mxName))"
        }
        text += " helo \(word(relay.helo))"
        if let source = relay.sourceAddress { text += " src \(source)" }
        switch relay.tls {
        case .opportunistic: text += " tls opportunistic"
        case .required: text += " tls"
        case .verified: text += " tls verify"
        }
        if let table = relay.authTable { text += " auth <\(table)>" }
        return text
    }

    private static func ruleLine(_ rule: MatchRule) -> String {
        var parts = ["match"]
        for criterion in rule.criteria {
            parts.append((criterion.isNegated ? "! " : "") + conditionText(criterion.condition))
        }
        switch rule.decision {
        case .action(let name): parts.append("action \(quoted(name))")
        case .reject: parts.append("reject")
        }
        return parts.joined(separator: " ")
    }

    private static func conditionText(_ condition: MatchRule.Condition) -> String {
        switch condition {
        case .fromAny: "from any"
        case .fromLocal: "from local"
        case .fromSource(.table(let table)): "from src <\(table)>"
        case .fromSource(.network(let network)): "from src \(quoted(network.description))"
        case .fromAuthenticated(let table): "from auth" + (table.map { " <\($0)>" } ?? "")
        case .fromSender(let pattern): "from mail-from \(patternText(pattern))"
        case .tag(let tag): "tag \(tag)"
        case .forAny: "for any"
        case .forLocal: "for local"
        case .forDomain(let pattern): "for domain \(patternText(pattern))"
        case .forRecipient(let pattern): "for rcpt \(patternText(pattern))"
        }
    }

    private static func patternText(_ pattern: MatchRule.Pattern) -> String {
        switch pattern {
        case .table(let table): "<\(table)>"
        case .literal(let literal): quoted(literal)
        }
    }
}
