// The action statement.
extension ConfigParser {
    private static let methods = ["maildir", "mbox", "mda", "lmtp", "relay"]
    private static let localOptions = ["alias", "virtual", "userbase", "forward-file"]
    private static let relayOptions = ["host", "backup", "helo", "src", "tls", "auth"]
    private static let allOptions = Set(localOptions + relayOptions + ["rcpt-to"])

    /// The pieces of an action statement gathered before it is checked as a whole.
    private struct ActionDraft {
        /// The method as far as its own arguments go.
        enum Base {
            case maildir(String?)
            case mbox(String?)
            case mda(String)
            case lmtp(DeliveryMethod.LMTPDestination)
            case relay
        }

        var name: String
        var base: Base
        var usesRecipientAddress = false
        var host: (url: RelayConfig.Host, location: ConfigLocation)?
        var backup: (mxName: String?, location: ConfigLocation)?
        var helo: String?
        var source: IPLiteral?
        var tls: RelayConfig.TLSPolicy?
        var auth: (table: String, location: ConfigLocation)?
        var tables: [(option: String, table: String, location: ConfigLocation)] = []
        var usesForwardFile = false
    }

    /// ```
    /// action  = "action" NAME method option*
    /// method  = "maildir" [PATH] | "mbox" [PATH] | "mda" COMMAND | "lmtp" DEST | "relay"
    /// option  = "alias" TABLE | "virtual" TABLE | "userbase" TABLE | "forward-file"  ; local methods and lmtp
    ///         | "rcpt-to"                                                           ; lmtp
    ///         | "host" URL | "backup" ["mx" NAME] | "helo" NAME | "src" ADDRESS
    ///         | "tls" ["verify" | "opportunistic"] | "auth" TABLE                     ; relay
    /// URL     = ("smtp" | "smtp+tls" | "smtps" | "lmtp") "://" [LABEL "@"] HOST [":" PORT]
    /// ```
    mutating func parseAction(_ cursor: inout StatementCursor) throws(ConfigError) {
        let (name, nameLocation) = try cursor.name("an action name")
        let (method, _) = try cursor.expectKeyword(
            "a delivery method (\(Self.methods.joined(separator: ", ")))",
            among: Self.methods
        )
        let base: ActionDraft.Base
        switch method {
        case "maildir", "mbox":
            var path: String?
            if let text = cursor.current.valueText, cursor.current.keyword.map({ !Self.allOptions.contains($0) }) ?? true {
                path = try template(&cursor, text: text, what: "a \(method) path")
            }
            base = method == "maildir" ? .maildir(path) : .mbox(path)
        case "mda":
            guard let text = cursor.current.valueText else { throw cursor.failure(expected: "a command") }
            base = .mda(try template(&cursor, text: text, what: "a command"))
        case "lmtp":
            let what = "an LMTP destination (\"host:port\" or a socket path)"
            base = .lmtp(try cursor.parsed(what) { Self.lmtpDestination($0) }.0)
        default:
            base = .relay
        }
        var draft = ActionDraft(name: name, base: base)
        let allowed = method == "relay" ? Self.relayOptions : Self.localOptions + (method == "lmtp" ? ["rcpt-to"] : [])
        var seen: Set<String> = []
        while !cursor.atEnd {
            let (option, optionLocation) = try cursor.expectKeyword(
                "an option of '\(method)' (\(allowed.joined(separator: ", ")))",
                among: allowed
            )
            guard seen.insert(option).inserted else {
                throw ConfigError(.duplicateDefinition, at: optionLocation, "duplicate '\(option)' in action '\(name)'")
            }
            try parseActionOption(option, at: optionLocation, &cursor, into: &draft)
        }
        if let earlier = sources.actionDefinitions[name] {
            throw ConfigError(.duplicateDefinition, at: nameLocation, "action '\(name)' is already defined at \(earlier)")
        }
        let action = try buildAction(draft)
        sources.actionDefinitions[name] = nameLocation
        for entry in draft.tables {
            let use: ConfigSourceMap.TableUse
            switch entry.option {
            case "alias": use = .aliases
            case "virtual": use = .virtualUsers
            case "userbase": use = .userbase
            default: use = .credentials
            }
            sources.references.append((.table(entry.table, use), entry.location))
        }
        if method == "relay" {
            if draft.helo == nil { sources.relaysWithoutHelo.append(name) }
            if let backup = draft.backup, backup.mxName == nil { sources.backupsWithoutMXName.append(name) }
        }
        config.actions[name] = action
    }

    private func parseActionOption(
        _ option: String,
        at location: ConfigLocation,
        _ cursor: inout StatementCursor,
        into draft: inout ActionDraft
    ) throws(ConfigError) {
        switch option {
        case "alias", "virtual", "userbase", "auth":
            let (table, tableLocation) = try cursor.tableReference()
            draft.tables.append((option, table, tableLocation))
            if option == "auth" { draft.auth = (table, location) }
        case "forward-file":
            draft.usesForwardFile = true
        case "rcpt-to":
            draft.usesRecipientAddress = true
        case "host":
            let what = "a relay URL (such as smtps://label@smtp.example.com:465)"
            let (url, _) = try cursor.parsed(what) { Self.relayHost($0) }
            draft.host = (url, location)
        case "backup":
            var mxName: String?
            if cursor.accept("mx") {
                (mxName, _) = try cursor.hostName("the MX host name of this server")
            }
            draft.backup = (mxName, location)
        case "helo":
            (draft.helo, _) = try cursor.hostName()
        case "src":
            (draft.source, _) = try cursor.ipAddress("a source IP address")
        default:
            if cursor.accept("verify") {
                draft.tls = .verified
            } else if cursor.accept("opportunistic") {
                draft.tls = .opportunistic
            } else {
                draft.tls = .required
            }
        }
    }

    private func buildAction(_ draft: ActionDraft) throws(ConfigError) -> ActionConfig {
        let option = { (name: String) in draft.tables.first { $0.option == name } }
        if option("alias") != nil, let virtual = option("virtual") {
            throw ConfigError(.inconsistent, at: virtual.location, "'alias' and 'virtual' cannot be combined in action '\(draft.name)'")
        }
        let method: DeliveryMethod
        switch draft.base {
        case .maildir(let path):
            method = .maildir(pathTemplate: path ?? ConfigDefaults.maildirPath)
        case .mbox(let path):
            method = .mbox(pathTemplate: path ?? ConfigDefaults.mboxPath)
        case .mda(let command):
            method = .mda(command: command)
        case .lmtp(let destination):
            method = .lmtp(destination: destination, usesRecipientAddress: draft.usesRecipientAddress)
        case .relay:
            method = .relay(try buildRelay(draft))
        }
        return ActionConfig(
            name: draft.name,
            method: method,
            aliasTable: option("alias")?.table,
            virtualTable: option("virtual")?.table,
            userbaseTable: option("userbase")?.table,
            usesForwardFile: draft.usesForwardFile
        )
    }

    private func buildRelay(_ draft: ActionDraft) throws(ConfigError) -> RelayConfig {
        var route = RelayConfig.Route.mx
        if let backup = draft.backup {
            if let host = draft.host {
                throw ConfigError(.inconsistent, at: host.location, "'host' and 'backup' cannot be combined in action '\(draft.name)'")
            }
            route = .backup(mxName: backup.mxName ?? config.hostname)
        }
        var tls = draft.tls ?? .opportunistic
        if let host = draft.host {
            route = .host(host.url)
            if host.url.scheme.requiresTLS, tls == .opportunistic { tls = .required }
            if let user = host.url.user, draft.auth == nil {
                throw ConfigError(.inconsistent, at: host.location, "the label '\(user)' in the relay URL needs 'auth <table>' for its credentials")
            }
        }
        if let auth = draft.auth {
            guard let host = draft.host, host.url.user != nil else {
                throw ConfigError(.inconsistent, at: auth.location, "'auth' needs a relay host URL with a label, such as smtps://label@smtp.example.com")
            }
            if tls == .opportunistic {
                throw ConfigError(
                    .inconsistent, at: auth.location,
                    "'auth' would send credentials without TLS; use an smtp+tls:// or smtps:// URL, or add 'tls'"
                )
            }
        }
        return RelayConfig(route: route, helo: draft.helo ?? config.hostname, sourceAddress: draft.source, tls: tls, authTable: draft.auth?.table)
    }

    /// Consumes a path or command template, checking its `%{…}` variables.
    private func template(_ cursor: inout StatementCursor, text: String, what: String) throws(ConfigError) -> String {
        var rest = Substring(text)
        while let open = rest.firstRange(of: "%{") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw cursor.failure(expected: "\(what) whose '%{' is closed by '}'", kind: .invalidValue)
            }
            let variable = String(rest[open.upperBound..<close])
            guard DeliveryMethod.templateVariables.contains(variable) else {
                let known = DeliveryMethod.templateVariables.sorted().map { "%{\($0)}" }.joined(separator: ", ")
                throw ConfigError(.invalidValue, at: cursor.current.location, "unknown variable '%{\(variable)}' in \(what); expected one of \(known)")
            }
            rest = rest[rest.index(after: close)...]
        }
        guard !text.isEmpty else { throw cursor.failure(expected: what, kind: .invalidValue) }
        cursor.advance()
        return text
    }

    /// `host:port`, `[v6]:port`, or a socket path starting with `/` or `.`.
    static func lmtpDestination(_ text: String) -> DeliveryMethod.LMTPDestination? {
        if text.hasPrefix("/") || text.hasPrefix(".") { return .unix(path: text) }
        guard let (host, port) = hostAndPort(Substring(text)), let port else { return nil }
        return .tcp(host: host, port: port)
    }

    /// `scheme://[label@]host[:port]`.
    static func relayHost(_ text: String) -> RelayConfig.Host? {
        guard let separator = text.firstRange(of: "://"),
            let scheme = RelayConfig.Scheme(rawValue: String(text[..<separator.lowerBound]))
        else { return nil }
        var rest = text[separator.upperBound...]
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let label = String(rest[..<at])
            guard ConfigValue.isName(label) else { return nil }
            user = label
            rest = rest[rest.index(after: at)...]
        }
        guard let (host, port) = hostAndPort(rest) else { return nil }
        return RelayConfig.Host(scheme: scheme, user: user, host: host, port: port ?? ConfigDefaults.relayPort(for: scheme))
    }

    /// `host[:port]` or `[v6][:port]`; the host is a host name or a literal address.
    private static func hostAndPort(_ text: Substring) -> (String, Int?)? {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            guard let address = IPLiteral(String(host)), !address.isIPv4 else { return nil }
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return nil }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            guard IPLiteral(String(host)) != nil || ConfigValue.isHostName(String(host)) else { return nil }
        }
        guard let portText else { return (String(host), nil) }
        guard case .success(let port) = ConfigValue.integer(portText), (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }
}
