// The delivery policy statements: queue, limit and delivery.
extension ConfigParser {
    private static let queueOptions = ["path", "retry", "expire", "warn", "retention", "map-size"]
    private static let queueDomainOptions = ["retry", "expire", "warn"]
    private static let limitOptions = ["connections", "messages-per-connection", "rate"]

    /// ```
    /// queue = "queue" ( "path" PATH | "retry" MIN ".." MAX | "expire" D | "warn" D | "retention" D | "map-size" SIZE )+
    ///       | "queue" "domain" DOMAIN ( "retry" MIN ".." MAX | "expire" D | "warn" D )+
    /// ```
    mutating func parseQueue(_ cursor: inout StatementCursor) throws(ConfigError) {
        if cursor.accept("domain") {
            try parseQueueDomain(&cursor)
            return
        }
        repeat {
            let (option, location) = try cursor.expectKeyword(
                "a queue setting (domain, \(Self.queueOptions.joined(separator: ", ")))",
                among: Self.queueOptions
            )
            switch option {
            case "path":
                let (path, _) = try cursor.parsed("a directory path") { $0.isEmpty ? nil : $0 }
                try claim("queue path", at: location)
                config.queue.path = path
            case "retry":
                let (range, _) = try retryRange(&cursor)
                try claim("queue retry", at: location)
                (config.queue.retryMinimum, config.queue.retryMaximum) = range
            case "expire":
                (config.queue.expire, _) = try cursor.duration()
                try claim("queue expire", at: location)
            case "warn":
                (config.queue.warn, _) = try cursor.duration()
                try claim("queue warn", at: location)
            case "retention":
                (config.queue.retention, _) = try cursor.duration(positive: false)
                try claim("queue retention", at: location)
            default:
                (config.queue.mapSize, _) = try cursor.size()
                try claim("queue map-size", at: location)
            }
        } while !cursor.atEnd
    }

    private mutating func parseQueueDomain(_ cursor: inout StatementCursor) throws(ConfigError) {
        let (domain, domainLocation) = try cursor.hostName("a domain name")
        let key = domain.lowercased()
        var override = config.queue.domainOverrides[key] ?? QueueConfig.DomainOverride()
        repeat {
            let (option, location) = try cursor.expectKeyword(
                "a per-domain queue setting (\(Self.queueDomainOptions.joined(separator: ", ")))",
                among: Self.queueDomainOptions
            )
            switch option {
            case "retry":
                let (range, _) = try retryRange(&cursor)
                (override.retryMinimum, override.retryMaximum) = range
            case "expire":
                (override.expire, _) = try cursor.duration()
            default:
                (override.warn, _) = try cursor.duration()
            }
            try claim("queue domain \(key) \(option)", at: location)
        } while !cursor.atEnd
        if sources.queueOverrides[key] == nil { sources.queueOverrides[key] = domainLocation }
        config.queue.domainOverrides[key] = override
    }

    private func retryRange(_ cursor: inout StatementCursor) throws(ConfigError) -> ((Duration, Duration), ConfigLocation) {
        let what = "a retry range MIN..MAX (such as 5m..1h)"
        let limit = "the largest is \(ConfigValue.format(ConfigValue.maximumDuration))"
        let (range, location) = try cursor.measured(what, noun: "retry range", limit: limit) { text in
            ConfigValue.durationRange(text).flatMap { $0.0 > .zero ? .success($0) : .failure(.malformed) }
        }
        guard range.0 <= range.1 else {
            throw ConfigError(
                .invalidValue, at: location,
                "retry minimum \(ConfigValue.format(range.0)) is longer than the maximum \(ConfigValue.format(range.1))"
            )
        }
        return (range, location)
    }

    /// ```
    /// delivery = "delivery" "priority" ( "idle" | "low" | "normal" )
    /// ```
    mutating func parseDelivery(_ cursor: inout StatementCursor) throws(ConfigError) {
        let (_, location) = try cursor.expectKeyword("a delivery setting (priority)", among: ["priority"])
        let choices = DeliveryPriority.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let (priority, _) = try cursor.parsed("a delivery priority (\(choices))") { DeliveryPriority(rawValue: $0) }
        try claim("delivery priority", at: location)
        config.deliveryPriority = priority
    }

    /// ```
    /// limit = "limit" ( "default" | "domain" DOMAIN )
    ///         ( "connections" N | "messages-per-connection" N | "rate" ( N "/" ("s"|"m"|"h") | "unlimited" ) )+
    /// ```
    mutating func parseLimit(_ cursor: inout StatementCursor) throws(ConfigError) {
        let (scope, _) = try cursor.expectKeyword("'default' or 'domain'", among: ["default", "domain"])
        var prefix = "limit default"
        var override = DeliveryLimitsConfig.DomainOverride()
        var domain: String?
        if scope == "domain" {
            let (name, _) = try cursor.hostName("a domain name")
            domain = name.lowercased()
            prefix = "limit domain \(name.lowercased())"
            override = config.limits.domainOverrides[name.lowercased()] ?? override
        }
        repeat {
            let (option, location) = try cursor.expectKeyword(
                "a limit (\(Self.limitOptions.joined(separator: ", ")))",
                among: Self.limitOptions
            )
            switch option {
            case "connections":
                (override.connections, _) = try cursor.count()
            case "messages-per-connection":
                (override.messagesPerConnection, _) = try cursor.count()
            default:
                override.rate = try rate(&cursor)
            }
            try claim("\(prefix) \(option)", at: location)
        } while !cursor.atEnd
        if let domain {
            config.limits.domainOverrides[domain] = override
        } else {
            let defaults = config.limits.defaultLimits
            config.limits.defaultLimits = DeliveryLimitsConfig.Limits(
                connections: override.connections ?? defaults.connections,
                messagesPerConnection: override.messagesPerConnection ?? defaults.messagesPerConnection,
                rate: override.rate ?? defaults.rate
            )
        }
    }

    private func rate(_ cursor: inout StatementCursor) throws(ConfigError) -> DeliveryLimitsConfig.RateSetting {
        if cursor.accept("unlimited") { return .unlimited }
        let what = "a rate (such as 100/s, 20/m, 500/h) or 'unlimited'"
        let (rate, _) = try cursor.measured(what, noun: "rate", limit: "the largest is \(Int.max)") { text in
            ConfigValue.rate(text).flatMap { $0.0 > 0 ? .success($0) : .failure(.malformed) }
        }
        return .limited(count: rate.0, per: rate.1)
    }
}
