// The listen statement.
extension ConfigParser {
    private static let listenOptions = [
        "port", "tls", "tls-require", "smtps", "pki", "auth", "auth-optional", "hostname", "tag", "mask-src", "no-dsn",
    ]

    /// ```
    /// listen = "listen" "on" (ADDRESS | INTERFACE) option*
    /// option = "port" PORT | "tls" | "tls-require" | "smtps" | "pki" NAME
    ///        | ("auth" | "auth-optional") TABLE ["insecure"]
    ///        | "hostname" NAME | "tag" NAME | "mask-src" | "no-dsn"
    /// ```
    mutating func parseListen(_ cursor: inout StatementCursor, at location: ConfigLocation) throws(ConfigError) {
        try cursor.expect("on")
        let (address, _) = try cursor.parsed("an IP address or an interface name") { Self.listenAddress($0) }
        var port: Int?
        var tls: (mode: ListenerConfig.TLSMode, keyword: String)?
        var pki: (name: String, location: ConfigLocation)?
        var auth: (value: ListenerConfig.Auth, location: ConfigLocation, table: ConfigLocation, insecure: ConfigLocation?)?
        var hostname: String?
        var tag: String?
        var masksSource = false
        var suppressesReports = false
        var seen: Set<String> = []
        while !cursor.atEnd {
            let (option, optionLocation) = try cursor.expectKeyword(
                "a listen option (\(Self.listenOptions.joined(separator: ", ")))",
                among: Self.listenOptions
            )
            let family: String
            switch option {
            case "tls", "tls-require", "smtps": family = "TLS mode"
            case "auth", "auth-optional": family = "auth"
            default: family = option
            }
            guard seen.insert(family).inserted else {
                let what = family == option ? "'\(option)'" : "\(family) '\(option)'"
                throw ConfigError(.duplicateDefinition, at: optionLocation, "duplicate \(what) in this listen statement")
            }
            switch option {
            case "port":
                (port, _) = try cursor.port()
            case "tls":
                tls = (.startTLS, option)
            case "tls-require":
                tls = (.startTLSRequired, option)
            case "smtps":
                tls = (.implicitTLS, option)
            case "pki":
                pki = try cursor.name("a pki name")
            case "auth", "auth-optional":
                let (table, tableLocation) = try cursor.tableReference("a credentials table such as <secrets>")
                let value: ListenerConfig.Auth = option == "auth" ? .required(table: table) : .optional(table: table)
                let insecure = cursor.current.keyword == "insecure" ? cursor.advance().location : nil
                auth = (value, optionLocation, tableLocation, insecure)
            case "hostname":
                (hostname, _) = try cursor.hostName()
            case "tag":
                (tag, _) = try cursor.name("a tag name")
            case "no-dsn":
                suppressesReports = true
            default:
                masksSource = true
            }
        }
        let mode = tls?.mode ?? .none
        if let tls, pki == nil {
            throw ConfigError(.inconsistent, at: location, "a listener with '\(tls.keyword)' needs 'pki NAME' for its certificate")
        }
        if let pki, tls == nil {
            throw ConfigError(.inconsistent, at: pki.location, "'pki' has no effect without 'tls', 'tls-require' or 'smtps' on this listener")
        }
        if let auth {
            if mode == .none, auth.insecure == nil {
                throw ConfigError(
                    .inconsistent, at: auth.location,
                    "AUTH would be offered without TLS; add 'tls', 'tls-require' or 'smtps' with a pki, or 'insecure' after the table to allow plaintext AUTH"
                )
            }
            if let insecure = auth.insecure, mode == .startTLSRequired || mode == .implicitTLS {
                throw ConfigError(.inconsistent, at: insecure, "'insecure' has no effect on a listener that requires TLS")
            }
        }
        let listener = ListenerConfig(
            address: address,
            port: port ?? (mode == .implicitTLS ? ConfigDefaults.smtpsPort : ConfigDefaults.smtpPort),
            tls: mode,
            pki: pki?.name,
            auth: auth?.value ?? .none,
            allowsPlaintextAuth: auth?.insecure != nil,
            hostname: hostname ?? config.hostname,
            tag: tag,
            masksSource: masksSource,
            suppressesReports: suppressesReports
        )
        if let index = config.listeners.firstIndex(where: { $0.address == listener.address && $0.port == listener.port }) {
            throw ConfigError(
                .duplicateDefinition, at: location,
                "a listener on \(listener.address) port \(listener.port) is already defined at \(sources.listeners[index])"
            )
        }
        if let pki { sources.references.append((.pki(pki.name), pki.location)) }
        if let auth, let table = auth.value.table {
            sources.references.append((.table(table, .credentials), auth.table))
        }
        if hostname == nil { sources.listenersWithoutHostname.append(config.listeners.count) }
        sources.listeners.append(location)
        config.listeners.append(listener)
    }

    /// An IP literal, or an interface name of up to 15 name characters (Linux's `IFNAMSIZ` - 1).
    static func listenAddress(_ text: String) -> ListenerConfig.Address? {
        if let address = IPLiteral(text) { return .ip(address) }
        guard (1...15).contains(text.count), ConfigValue.isName(text) else { return nil }
        return .interface(text)
    }
}
