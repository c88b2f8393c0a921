// The global statements: smtp, pki, table, resolver, metrics, control, bounce.
import Envelope
extension ConfigParser {
    private static let smtpLimitNames = ["recipients", "sessions", "per-client", "errors", "line-length", "command-length"]
    private static let smtpTimeoutNames = ["command", "data", "initial", "mail", "rcpt", "data-init", "data-block", "data-termination"]

    /// ```
    /// smtp = "smtp" ( "max-message-size" SIZE | "limits" (LIMIT N)+ | "timeout" (TIMEOUT DURATION)+
    ///               | "reject-delay" DURATION | "bare-lf" ("reject" | "normalize") )
    /// ```
    mutating func parseSMTP(_ cursor: inout StatementCursor) throws(ConfigError) {
        let (setting, location) = try cursor.expectKeyword(
            "an smtp setting (max-message-size, limits, timeout, reject-delay, bare-lf)",
            among: ["max-message-size", "limits", "timeout", "reject-delay", "bare-lf"]
        )
        switch setting {
        case "max-message-size":
            let (size, _) = try cursor.size()
            try claim("smtp max-message-size", at: location)
            config.smtp.maxMessageSize = size
        case "limits":
            repeat {
                try parseSMTPLimit(&cursor)
            } while !cursor.atEnd
        case "timeout":
            repeat {
                let (name, nameLocation) = try cursor.expectKeyword(
                    "a timeout name (\(Self.smtpTimeoutNames.joined(separator: ", ")))",
                    among: Self.smtpTimeoutNames
                )
                let (duration, _) = try cursor.duration()
                try claim("smtp timeout \(name)", at: nameLocation)
                setTimeout(name, to: duration)
            } while !cursor.atEnd
        case "reject-delay":
            let (delay, _) = try cursor.duration(positive: false)
            try claim("smtp reject-delay", at: location)
            config.smtp.rejectDelay = delay
        default:
            let (policy, _) = try cursor.parsed("'reject' or 'normalize'") { SMTPConfig.BareLineFeedPolicy(rawValue: $0) }
            try claim("smtp bare-lf", at: location)
            config.smtp.bareLineFeed = policy
        }
    }

    private mutating func parseSMTPLimit(_ cursor: inout StatementCursor) throws(ConfigError) {
        let (name, location) = try cursor.expectKeyword(
            "a limit name (\(Self.smtpLimitNames.joined(separator: ", ")))",
            among: Self.smtpLimitNames
        )
        let minimum: Int
        switch name {
        case "recipients": minimum = ConfigDefaults.minimumRecipientsPerMessage
        case "line-length": minimum = ConfigDefaults.minimumLineLength
        case "command-length": minimum = ConfigDefaults.minimumCommandLength
        default: minimum = 1
        }
        let what = minimum > 1 ? "a number of at least \(minimum) (RFC 5321 §4.5.3.1)" : "a positive number"
        let (value, _) = try cursor.count(what)
        guard value >= minimum else {
            throw ConfigError(.invalidValue, at: location, "'\(name)' must be at least \(minimum) (RFC 5321 §4.5.3.1), found \(value)")
        }
        try claim("smtp limits \(name)", at: location)
        switch name {
        case "recipients": config.smtp.limits.recipientsPerMessage = value
        case "sessions": config.smtp.limits.sessions = value
        case "per-client": config.smtp.limits.sessionsPerClient = value
        case "errors": config.smtp.limits.errorsPerSession = value
        case "line-length": config.smtp.limits.lineLength = value
        default: config.smtp.limits.commandLength = value
        }
    }

    private mutating func setTimeout(_ name: String, to duration: Duration) {
        switch name {
        case "command": config.smtp.timeouts.command = duration
        case "data": config.smtp.timeouts.data = duration
        case "initial": config.smtp.timeouts.initial = duration
        case "mail": config.smtp.timeouts.mail = duration
        case "rcpt": config.smtp.timeouts.recipient = duration
        case "data-init": config.smtp.timeouts.dataInitiation = duration
        case "data-block": config.smtp.timeouts.dataBlock = duration
        default: config.smtp.timeouts.dataTermination = duration
        }
    }

    /// ```
    /// pki = "pki" NAME ( "cert" PATH | "key" PATH )+      ; both, once each
    /// ```
    mutating func parsePKI(_ cursor: inout StatementCursor, at location: ConfigLocation) throws(ConfigError) {
        let (name, nameLocation) = try cursor.name("a pki name")
        var certificate: String?
        var key: String?
        repeat {
            let (option, optionLocation) = try cursor.expectKeyword("'cert' or 'key'", among: ["cert", "key"])
            let (path, _) = try cursor.value("a file path")
            if (option == "cert" ? certificate : key) != nil {
                throw ConfigError(.duplicateDefinition, at: optionLocation, "duplicate '\(option)' in pki '\(name)'")
            }
            if option == "cert" { certificate = path } else { key = path }
        } while !cursor.atEnd
        guard let certificate, let key else {
            throw ConfigError(.syntax, at: location, "pki '\(name)' needs both 'cert PATH' and 'key PATH'")
        }
        if let earlier = sources.pkiDefinitions[name] {
            throw ConfigError(.duplicateDefinition, at: nameLocation, "pki '\(name)' is already defined at \(earlier)")
        }
        sources.pkiDefinitions[name] = nameLocation
        config.pkis[name] = PKIConfig(name: name, certificatePath: certificate, keyPath: key)
    }

    /// ```
    /// table = "table" NAME ( "{" [ENTRY ("," ENTRY)* [","]] "}" | BACKEND )
    /// ENTRY = VALUE | KEY "=" VALUE                         ; all entries of one table alike
    /// BACKEND = "file:" PATH | "sqlite:" PATH | "/" PATH | "./" PATH
    /// ```
    mutating func parseTable(_ cursor: inout StatementCursor) throws(ConfigError) {
        let (name, nameLocation) = try cursor.name("a table name")
        if let earlier = sources.tableDefinitions[name] {
            throw ConfigError(.duplicateDefinition, at: nameLocation, "table '\(name)' is already defined at \(earlier)")
        }
        let definition: TableDefinition
        if cursor.current.kind == .openBrace {
            cursor.advance()
            definition = try parseInlineTable(&cursor, name: name)
        } else {
            let what = "'{' or a table backend (file:PATH, sqlite:PATH)"
            (definition, _) = try cursor.parsed(what) { Self.tableBackend($0) }
        }
        sources.tableDefinitions[name] = nameLocation
        config.tables[name] = definition
    }

    private static func tableBackend(_ text: String) -> TableDefinition? {
        if text.hasPrefix("file:"), text.count > 5 { return .file(path: String(text.dropFirst(5))) }
        if text.hasPrefix("sqlite:"), text.count > 7 { return .sqlite(path: String(text.dropFirst(7))) }
        if text.hasPrefix("/") || text.hasPrefix("./") || text.hasPrefix("../") { return .file(path: text) }
        return nil
    }

    private mutating func parseInlineTable(_ cursor: inout StatementCursor, name: String) throws(ConfigError) -> TableDefinition {
        var list: [String] = []
        var map: [String: String] = [:]
        var isMap: Bool?
        var seen: [String: ConfigLocation] = [:]
        while cursor.current.kind != .closeBrace {
            let (key, keyLocation) = try cursor.value(isMap == nil ? "a table entry or '}'" : "a table entry")
            if let earlier = seen[key.lowercased()] {
                throw ConfigError(.duplicateDefinition, at: keyLocation, "duplicate entry '\(key)' in table '\(name)'; it is already at \(earlier)")
            }
            seen[key.lowercased()] = keyLocation
            if isMap == nil { isMap = cursor.current.kind == .equals }
            if isMap == true {
                guard cursor.current.kind == .equals else { throw cursor.failure(expected: "'='") }
                cursor.advance()
                let (value, _) = try cursor.value("a value")
                map[key] = value
            } else {
                list.append(key)
            }
            if cursor.current.kind == .comma {
                cursor.advance()
            } else if cursor.current.kind != .closeBrace {
                throw cursor.failure(expected: "',' or '}'")
            }
        }
        cursor.advance()
        sources.tableEntries[name] = seen
        return isMap == true ? .map(map) : .list(list)
    }

    /// ```
    /// resolver = "resolver" ( "system" | ADDRESS ["port" PORT] )
    /// ```
    mutating func parseResolver(_ cursor: inout StatementCursor, at location: ConfigLocation) throws(ConfigError) {
        try claim("resolver", at: location)
        if cursor.accept("system") {
            config.resolver = nil
            return
        }
        let (address, _) = try cursor.ipAddress("'system' or the resolver's IP address")
        var resolver = ResolverConfig(address: address)
        if cursor.accept("port") {
            (resolver.port, _) = try cursor.port()
        }
        config.resolver = resolver
    }

    /// ```
    /// metrics = "metrics" ( "none" | "listen" "on" ADDRESS ["port" PORT] )
    /// ```
    mutating func parseMetrics(_ cursor: inout StatementCursor, at location: ConfigLocation) throws(ConfigError) {
        try claim("metrics", at: location)
        if cursor.accept("none") {
            config.metrics = nil
            return
        }
        guard cursor.accept("listen") else { throw cursor.failure(expected: "'none' or 'listen'") }
        try cursor.expect("on")
        let (address, _) = try cursor.ipAddress()
        var metrics = MetricsConfig(address: address)
        if cursor.accept("port") {
            (metrics.port, _) = try cursor.port()
        }
        config.metrics = metrics
    }

    /// ```
    /// control = "control" "socket" PATH
    /// ```
    mutating func parseControl(_ cursor: inout StatementCursor, at location: ConfigLocation) throws(ConfigError) {
        try cursor.expect("socket")
        let (path, _) = try cursor.parsed("a socket path") { $0.isEmpty ? nil : $0 }
        try claim("control socket", at: location)
        config.controlSocketPath = path
    }

    /// ```
    /// bounce = "bounce" ( "warn-on-missing-notify" ("yes" | "no") | "return" ("full" | "headers")
    ///                   | "max-return-size" SIZE | "postmaster" (ADDRESS | "none") )
    /// ```
    mutating func parseBounce(_ cursor: inout StatementCursor) throws(ConfigError) {
        let settings = ["warn-on-missing-notify", "return", "max-return-size", "postmaster"]
        let (setting, location) = try cursor.expectKeyword(
            "a bounce setting (\(settings.joined(separator: ", ")))", among: settings
        )
        switch setting {
        case "warn-on-missing-notify":
            let (flag, _) = try cursor.expectKeyword("'yes' or 'no'", among: ["yes", "no"])
            try claim("bounce warn-on-missing-notify", at: location)
            config.bounce.warnOnMissingNotify = flag == "yes"
        case "return":
            let (what, _) = try cursor.expectKeyword("'full' or 'headers'", among: ["full", "headers"])
            try claim("bounce return", at: location)
            config.bounce.defaultReturn = what == "full" ? .full : .headers
        case "max-return-size":
            let (size, _) = try cursor.size()
            try claim("bounce max-return-size", at: location)
            config.bounce.maximumReturnedSize = size
        default:
            var postmaster: MailAddress?
            if !cursor.accept("none") {
                let (address, _) = try cursor.parsed("a mail address such as postmaster@example.com, or 'none'") { text -> MailAddress? in
                    guard let address = try? MailAddress.parse(Substring(text), allowUTF8: true), !address.domain.isEmpty else { return nil }
                    return address
                }
                postmaster = address
            }
            try claim("bounce postmaster", at: location)
            config.bounce.postmaster = postmaster
        }
    }
}
