import Envelope
import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP or LMTP connection to one server, ready to carry transactions.
///
///     let connection = try await SMTPClientConnection.connect(
///         to: "192.0.2.25", port: 25, hostName: "mx.example.org",
///         settings: SMTPClientSettings(heloName: "relay.example.com"),
///         eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
///     let results = try await connection.send(transaction)
///     if connection.isReusable { … send the next message … }
///     await connection.quit()
///
/// One request runs at a time; a request made while another is running
/// fails with a `.notReady` error. After a transaction the connection stays
/// open for the next one (no `RSET` is needed after a complete
/// transaction) until `quit()`, until it has been idle for
/// `SMTPClientTimeouts.idle` (the client then says `QUIT`), or until the
/// server closes it. Dropping the last reference closes the connection
/// without `QUIT`. Socket writes have `TCP_NODELAY` set; the message and
/// its terminating `.` go out together.
public final class SMTPClientConnection: Sendable {
    private let channel: any Channel
    private let status: SMTPClientConnectionStatus
    /// The server, as `name[address]:port`.
    public let remoteHost: String
    /// What the server announced in its last `EHLO`/`LHLO` reply (nothing after `HELO`).
    public let capabilities: SMTPServerCapabilities
    /// Whether the session runs over TLS.
    public let isTLSActive: Bool

    private init(channel: any Channel, status: SMTPClientConnectionStatus, remoteHost: String, session: SMTPClientSession) {
        self.channel = channel
        self.status = status
        self.remoteHost = remoteHost
        self.capabilities = session.capabilities
        self.isTLSActive = session.isTLSActive
    }

    /// Connects to `address` (an IPv4 or IPv6 literal, never looked up in
    /// DNS, or the absolute path of a Unix socket, where `port` is unused) and
    /// sets up the session: greeting, `EHLO`/`LHLO`, TLS and `AUTH` as the
    /// settings say.
    ///
    /// The TLS context (and the trust roots it loads) is built for each
    /// connection.
    ///
    /// - Parameter hostName: the server's name (the MX host), for
    ///   `remoteHost`, and for TLS SNI when no verification names another.
    /// - Throws: `DeliveryError`, temporary unless the settings cannot work
    ///   at all; the caller tries the next address or MX host.
    public static func connect(
        to address: String,
        port: Int,
        hostName: String? = nil,
        settings: SMTPClientSettings,
        eventLoopGroup: any EventLoopGroup
    ) async throws(DeliveryError) -> SMTPClientConnection {
        let isUnixSocket = address.hasPrefix("/")
        let remoteHost = isUnixSocket ? address : "\(hostName ?? address)[\(address)]:\(port)"
        let target: SocketAddress
        let source: SocketAddress?
        do {
            target = isUnixSocket ? try SocketAddress(unixDomainSocketPath: address) : try SocketAddress(ipAddress: address, port: port)
            source = try settings.sourceAddress.map { try SocketAddress(ipAddress: $0, port: 0) }
        } catch {
            throw .connectionFailed(remoteHost, "not an IP address: \(error)")
        }
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try settings.tls.makeContext()
        } catch {
            throw .tlsFailed(remoteHost, "cannot set up TLS: \(error)")
        }
        let serverHostname = settings.tls.verification?.serverName ?? hostName.flatMap(sniName)
        let machine = SMTPClientStateMachine(
            configuration: .init(
                heloName: settings.heloName, mode: settings.mode, tls: settings.tls,
                credentials: settings.credentials, remoteHost: remoteHost))
        let status = SMTPClientConnectionStatus()
        let loop = eventLoopGroup.next()
        let connected = loop.makePromise(of: SMTPClientSession.self)

        var bootstrap = ClientBootstrap(group: loop).connectTimeout(TimeAmount(settings.timeouts.connect))
        if !isUnixSocket {
            bootstrap = bootstrap.channelOption(.tcpOption(.tcp_nodelay), value: 1)
        }
        bootstrap = bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if case .implicit = settings.tls, let tlsContext {
                        try pipeline.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname))
                    }
                    let startTLS = settings.tls.usesSTARTTLS ? tlsContext.map { ($0, serverHostname) } : nil
                    try pipeline.addHandler(
                        SMTPClientHandler(
                            machine: machine, timeouts: settings.timeouts, startTLS: startTLS, status: status,
                            logger: settings.logger, connected: connected))
                }
            }
        if let source {
            bootstrap = bootstrap.bind(to: source)
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: target).get()
        } catch {
            let failure = DeliveryError.connectionFailed(remoteHost, "\(error)")
            connected.fail(failure)
            throw failure
        }
        do {
            let session = try await connected.futureResult.get()
            return SMTPClientConnection(channel: channel, status: status, remoteHost: remoteHost, session: session)
        } catch {
            channel.close(promise: nil)
            throw error as? DeliveryError ?? .connectionLost(remoteHost, "\(error)")
        }
    }

    /// A name fit for SNI: not an address literal.
    private static func sniName(_ name: String) -> String? {
        guard !name.isEmpty, !name.hasPrefix("["), (try? SocketAddress(ipAddress: name, port: 0)) == nil else {
            return nil
        }
        return name
    }

    /// Whether the connection is open and idle, so `send` may be called.
    public var isReusable: Bool { status.isReusable }

    /// Completes when the connection has closed, whoever closed it.
    public var closed: EventLoopFuture<Void> { channel.closeFuture }

    /// Runs one mail transaction and returns a result for every recipient,
    /// in the order of `transaction.recipients`. Refusals by the server are
    /// results, not errors; a connection that is refused as a whole or
    /// fails mid-way throws.
    ///
    /// - Throws: `DeliveryError`: permanent when the message needs
    ///   `SMTPUTF8`, `8BITMIME` or a size the server does not offer (nothing
    ///   was sent, the connection stays usable); otherwise temporary, with
    ///   the results already settled in `settledResults`.
    public func send(_ transaction: OutboundTransaction) async throws(DeliveryError) -> [RecipientResult] {
        let promise = channel.eventLoop.makePromise(of: [RecipientResult].self)
        submit(.send(transaction, promise))
        do {
            return try await promise.futureResult.get()
        } catch {
            throw error as? DeliveryError ?? .connectionLost(remoteHost, "\(error)")
        }
    }

    /// Sends `RSET`, for a caller that abandons a transaction of its own.
    ///
    /// - Throws: `DeliveryError` when the connection is not idle or the server refuses.
    public func reset() async throws(DeliveryError) {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        submit(.reset(promise))
        do {
            try await promise.futureResult.get()
        } catch {
            throw error as? DeliveryError ?? .connectionLost(remoteHost, "\(error)")
        }
    }

    /// Says `QUIT` (when idle), waits for the reply or the command time-out,
    /// and closes the connection. Never fails.
    public func quit() async {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        submit(.quit(promise))
        _ = try? await promise.futureResult.get()
        channel.close(promise: nil)
        _ = try? await channel.closeFuture.get()
    }

    private func submit(_ request: SMTPClientRequest) {
        let remoteHost = remoteHost
        channel.writeAndFlush(request).whenFailure { _ in
            request.fail(.notReady(remoteHost))
        }
    }

    deinit {
        channel.close(promise: nil)
    }
}
