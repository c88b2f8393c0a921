import Envelope
import Foundation
import Logging
import NIOCore
import Transport

/// Delivery over the network: relay to a domain's MX hosts (in preference
/// order, every address of each, next host on failure), to a smarthost, or
/// to an LMTP server. Connections are kept for the next message to the same
/// server (connection reuse) up to the destination's messages-per-connection.
struct RemoteDeliveryAgent: Sendable {
    let resolver: any MXResolving
    let group: any EventLoopGroup
    let store: ConfigurationStore
    let hostname: String
    let pool: ConnectionPool
    let limiter: DestinationLimiter
    let logger: Logger

    /// One server to try: an address, its port and name, how to speak to it.
    struct Target: Sendable {
        let address: String
        let port: Int
        let name: String
        let settings: SMTPClientSettings
        /// Which idle connections in the pool can carry this target's messages.
        let poolKey: PoolKey

        /// The server and the settings a pooled connection must share with
        /// the target to be reused for it.
        struct PoolKey: Hashable, Sendable {
            let mode: SMTPClientMode
            let address: String
            let port: Int
            let tls: SMTPClientTLSPolicy
            let heloName: String
            let username: String?
            let sourceAddress: String?
        }

        init(address: String, port: Int, name: String, settings: SMTPClientSettings) {
            self.address = address
            self.port = port
            self.name = name
            self.settings = settings
            poolKey = PoolKey(
                mode: settings.mode, address: address, port: port, tls: settings.tls, heloName: settings.heloName,
                username: settings.credentials?.username, sourceAddress: settings.sourceAddress)
        }
    }

    func deliver(_ batch: DeliveryBatch, action: ActionConfig, body: [UInt8]) async -> [DeliveryResult] {
        await limiter.acquire(batch.domain)
        let results = await deliverLimited(batch, action: action, body: body)
        limiter.release(batch.domain)
        return results
    }

    private func deliverLimited(_ batch: DeliveryBatch, action: ActionConfig, body: [UInt8]) async -> [DeliveryResult] {
        let plan: LMTPRecipients?
        if case .lmtp(_, let usesRecipientAddress) = action.method {
            let snapshot = store.current
            plan = LMTPRecipients(
                batch, action: action, usesRecipientAddress: usesRecipientAddress,
                recipients: LocalRecipients(configuration: snapshot.configuration, tables: snapshot.tables)
            )
        } else {
            plan = nil
        }
        let mailboxes = plan?.mailboxes ?? batch.recipients.map { LMTPRecipients.Mailbox(owner: $0.index, recipient: $0.recipient, address: $0.recipient.address) }
        let settled = mailboxes.isEmpty ? [:] : await transmit(mailboxes, batch: batch, action: action, body: body)
        var byOwner: [UInt32: [DeliveryResult]] = [:]
        for (position, mailbox) in mailboxes.enumerated() {
            byOwner[mailbox.owner, default: []].append(settled[position] ?? .failed(mailbox.owner, .temporary(.noAnswerFromHost, "no server could be reached")))
        }
        return batch.indices.map { index in
            plan.map { $0.combine(index, byOwner[index] ?? []) } ?? byOwner[index]?.first ?? .failed(index, .temporary(.noAnswerFromHost, "not attempted"))
        }
    }

    /// Sends one transaction to the first server that takes it; the results by position in `mailboxes`.
    private func transmit(_ mailboxes: [LMTPRecipients.Mailbox], batch: DeliveryBatch, action: ActionConfig, body: [UInt8]) async -> [Int: DeliveryResult] {
        let targets: [Target]
        do {
            targets = try await self.targets(for: action, domain: batch.domain)
        } catch {
            return Dictionary(uniqueKeysWithValues: mailboxes.enumerated().map { ($0.offset, .failed($0.element.owner, error)) })
        }
        let envelope = batch.message.envelope
        var pending = Array(mailboxes.indices)
        var settled: [Int: DeliveryResult] = [:]
        var lastFailure = DeliveryFailure.temporary(.noAnswerFromHost, "no server could be reached")
        var anyConnected = false
        for target in targets where !pending.isEmpty {
            let transaction = OutboundTransaction(
                sender: envelope.sender,
                recipients: pending.map {
                    let mailbox = mailboxes[$0]
                    return OutboundRecipient(address: mailbox.address, notify: mailbox.recipient.notify, originalRecipient: mailbox.recipient.originalRecipient)
                },
                body: body,
                envelopeID: envelope.envelopeID,
                ret: envelope.ret,
                smtpUTF8: envelope.flags.contains(.smtpUTF8)
            )
            let connection: SMTPClientConnection
            do {
                connection = try await pool.connection(for: target, group: group)
            } catch {
                lastFailure = Self.failure(error)
                logger.debug("id=\(envelope.id) \(target.name)[\(target.address)]:\(target.port): \(error)")
                if error.isPermanent { break }
                continue
            }
            anyConnected = true
            let results: [RecipientResult]
            do {
                results = try await connection.send(transaction)
                await pool.checkIn(connection, for: target, limit: limiter.messagesPerConnection(batch.domain))
            } catch {
                await connection.quit()
                lastFailure = Self.failure(error)
                for result in error.settledResults {
                    let position = pending[result.index]
                    settled[position] = Self.result(result, index: mailboxes[position].owner, mode: target.settings.mode)
                }
                pending = pending.enumerated().filter { offset, _ in !error.settledResults.contains { $0.index == offset } }.map(\.element)
                if error.isPermanent { break }
                continue
            }
            for result in results {
                let position = pending[result.index]
                settled[position] = Self.result(result, index: mailboxes[position].owner, mode: target.settings.mode)
            }
            // A recipient the server deferred at RCPT may fare better at the next host only when the host as a whole failed; here it answered.
            pending = []
        }
        for position in pending {
            var failed = DeliveryResult.failed(mailboxes[position].owner, lastFailure)
            failed.destinationUnreachable = !anyConnected && !lastFailure.isPermanent
            settled[position] = failed
        }
        return settled
    }

    private static func result(_ result: RecipientResult, index: UInt32, mode: SMTPClientMode) -> DeliveryResult {
        let text = result.reply.lines.joined(separator: " ")
        let reply = "\(result.reply.code) \(result.reply.status.map { "\($0) " } ?? "")\(text)"
        switch result.outcome {
        case .delivered:
            var delivered = DeliveryResult.delivered(index, reply, status: result.enhancedStatus, remoteHost: result.remoteHost)
            // An LMTP server delivers into the mailbox: without DSN of its own
            // that is final delivery, as Postfix's LMTP client also takes it.
            delivered.successNotice = switch (result.dsnPassedOn, mode) {
            case (true, _): .passedOn
            case (false, .lmtp): .delivered
            case (false, .smtp): .relayed
            }
            return delivered
        case .temporaryFailure:
            return DeliveryResult(index: index, outcome: .temporary, status: result.enhancedStatus, reply: reply, remoteHost: result.remoteHost)
        case .permanentFailure:
            return DeliveryResult(index: index, outcome: .permanent, status: result.enhancedStatus, reply: reply, remoteHost: result.remoteHost)
        }
    }

    private static func failure(_ error: DeliveryError) -> DeliveryFailure {
        var failure = DeliveryFailure(isPermanent: error.isPermanent, status: error.enhancedStatus, reason: error.description)
        failure.remoteHost = error.remoteHost
        if let reply = error.reply {
            failure.reason = "\(reply.code) \(reply.status.map { "\($0) " } ?? "")\(reply.lines.joined(separator: " "))"
        }
        return failure
    }

    // MARK: - Targets

    /// The client's time-outs from `smtp timeout initial, mail, rcpt, data-init,
    /// data-block, data-termination` in the configuration in force; connecting,
    /// the session commands (EHLO, STARTTLS, AUTH, RSET, QUIT) and idling keep
    /// `SMTPClientTimeouts`' defaults.
    private var clientTimeouts: SMTPClientTimeouts {
        let configured = store.current.configuration.smtp.timeouts
        var timeouts = SMTPClientTimeouts()
        timeouts.greeting = configured.initial
        timeouts.mail = configured.mail
        timeouts.recipient = configured.recipient
        timeouts.data = configured.dataInitiation
        timeouts.dataBlock = configured.dataBlock
        timeouts.dataEnd = configured.dataTermination
        return timeouts
    }

    private func targets(for action: ActionConfig, domain: String) async throws(DeliveryFailure) -> [Target] {
        switch action.method {
        case .relay(let relay):
            var settings = SMTPClientSettings(heloName: relay.helo.isEmpty ? hostname : relay.helo, sourceAddress: relay.sourceAddress?.description, logger: logger)
            settings.timeouts = clientTimeouts
            switch relay.route {
            case .mx:
                settings.tls = relay.tls.clientPolicy(serverName: domain)
                return try await mxTargets(domain, settings: settings, below: nil)
            case .backup(let mxName):
                settings.tls = relay.tls.clientPolicy(serverName: domain)
                return try await mxTargets(domain, settings: settings, below: mxName.isEmpty ? hostname : mxName)
            case .host(let host):
                settings.mode = host.scheme == .lmtp ? .lmtp : .smtp
                settings.tls = switch host.scheme {
                case .smtps: .implicit(nil)
                case .smtpStartTLS: relay.tls == .verified ? relay.tls.clientPolicy(serverName: host.host) : .required
                case .smtp, .lmtp: relay.tls.clientPolicy(serverName: host.host)
                }
                if let table = relay.authTable, let user = host.user {
                    guard let secret = store.current.tables.value(table: table, key: user, service: .credentials) else {
                        throw .temporary(EnhancedStatus(4, 3, 5), "no credentials for \(user) in table \(table)")
                    }
                    let parts = secret.split(separator: ":", maxSplits: 1)
                    settings.credentials = parts.count == 2
                        ? SMTPClientCredentials(username: String(parts[0]), password: String(parts[1]))
                        : SMTPClientCredentials(username: user, password: secret)
                }
                return try await hostTargets(host.host, port: host.port, settings: settings)
            }
        case .lmtp(let destination, _):
            var settings = SMTPClientSettings(heloName: hostname, mode: .lmtp, tls: .none, logger: logger)
            settings.tls = .none
            settings.timeouts = clientTimeouts
            switch destination {
            case .tcp(let host, let port):
                return try await hostTargets(host, port: port, settings: settings)
            case .unix(let path):
                let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
                return [Target(address: absolute, port: 0, name: path, settings: settings)]
            }
        case .maildir, .mbox, .mda:
            throw .temporary(EnhancedStatus(4, 3, 5), "action \(action.name) is not a network delivery")
        }
    }

    private func mxTargets(_ domain: String, settings: SMTPClientSettings, below ownName: String?) async throws(DeliveryFailure) -> [Target] {
        var hosts: [MailHost]
        do {
            hosts = try await resolver.resolveMailHosts(for: domain)
        } catch {
            throw DeliveryFailure(isPermanent: error.isPermanent, status: error.enhancedStatus, reason: error.description)
        }
        if let ownName {
            // Backup MX: relay only to hosts more preferred than ourselves (RFC 5321 §5.1).
            if let own = hosts.first(where: { $0.name.lowercased() == ownName.lowercased() }) {
                hosts = hosts.filter { $0.preference < own.preference }
            }
            guard !hosts.isEmpty else { throw .temporary(EnhancedStatus(4, 4, 4), "no MX host of \(domain) is more preferred than \(ownName)") }
        }
        return hosts.flatMap { host in host.addresses.map { Target(address: $0, port: 25, name: host.name, settings: settings) } }
    }

    private func hostTargets(_ host: String, port: Int, settings: SMTPClientSettings) async throws(DeliveryFailure) -> [Target] {
        let addresses = await HostAddresses.lookup(host)
        guard !addresses.isEmpty else { throw .temporary(.directoryServerFailure, "cannot resolve \(host)") }
        return addresses.map { Target(address: $0, port: port, name: host, settings: settings) }
    }
}

extension RelayConfig.TLSPolicy {
    func clientPolicy(serverName: String) -> SMTPClientTLSPolicy {
        switch self {
        case .opportunistic: .opportunistic
        case .required: .required
        case .verified: .requiredVerified(SMTPClientTLSVerification(serverName: serverName))
        }
    }
}

/// Name-to-address lookups for smarthosts and LMTP servers (getaddrinfo, off the event loops).
enum HostAddresses {
    private static func ipText(_ entry: addrinfo) -> String? {
        guard let address = entry.ai_addr else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var ip = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &ip, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        case AF_INET6:
            var ip = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            guard inet_ntop(AF_INET6, &ip, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        default:
            return nil
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func lookup(_ host: String) async -> [String] {
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if (try? SocketAddress(ipAddress: literal, port: 0)) != nil { return [literal] }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &list) == 0 else { return continuation.resume(returning: []) }
                defer { freeaddrinfo(list) }
                var result: [String] = []
                var entry = list
                while let current = entry {
                    if let text = ipText(current.pointee), !result.contains(text) { result.append(text) }
                    entry = current.pointee.ai_next
                }
                continuation.resume(returning: result)
            }
        }
    }
}
