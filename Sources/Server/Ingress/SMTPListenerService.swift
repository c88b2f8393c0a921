import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Transport

/// One `listen on` address: accepts on its socket (bound at start-up, see
/// `ListeningSocket`) and runs an SMTP
/// session per connection until graceful shutdown, when it stops accepting,
/// tells open sessions to finish (421 at the next command; a message being
/// stored is stored first) and waits for them to close.
final class SMTPListenerService: Service {
    let listener: ListenerConfig
    let socket: ListeningSocket
    var bindAddress: SocketAddress { socket.address }
    let delegate: IngressDelegate
    let configuration: Configuration
    let tlsContext: NIOSSLContext?
    let limiter: SessionLimiter
    let gate: IngressGate
    let spoolDirectory: String
    let group: any EventLoopGroup
    let metrics: DaemonMetrics
    let logger: Logger

    init(
        listener: ListenerConfig, socket: ListeningSocket, delegate: IngressDelegate, configuration: Configuration,
        tlsContext: NIOSSLContext?, limiter: SessionLimiter, gate: IngressGate, spoolDirectory: String, group: any EventLoopGroup,
        metrics: DaemonMetrics, logger: Logger
    ) {
        self.gate = gate
        self.listener = listener
        self.socket = socket
        self.delegate = delegate
        self.configuration = configuration
        self.tlsContext = tlsContext
        self.limiter = limiter
        self.spoolDirectory = spoolDirectory
        self.group = group
        self.metrics = metrics
        self.logger = logger
    }

    /// Accepts on the socket with a session pipeline per connection.
    private func accept() async throws -> any Channel {
        let settings = sessionSettings
        let timeouts = sessionTimeouts
        let decoder = SMTPFrameDecoder(
            commandLengthLimit: configuration.smtp.limits.commandLength,
            textLineLimit: configuration.smtp.limits.lineLength,
            bareLineEndings: configuration.smtp.bareLineFeed == .reject ? .reject : .normalize
        )
        let implicitTLS = listener.tls == .implicitTLS
        let (delegate, tlsContext, limiter, gate, spoolDirectory, metrics) = (self.delegate, self.tlsContext, self.limiter, self.gate, self.spoolDirectory, self.metrics)
        return try await ServerBootstrap(group: group)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let client = channel.remoteAddress?.ipAddress ?? "unknown"
                if gate.isPaused {
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SessionRefusalHandler(reply: SessionRefusalHandler.paused))
                    }
                }
                guard limiter.acquire(channel, client: client) else {
                    metrics.sessionRejected()
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SessionRefusalHandler(reply: SessionRefusalHandler.tooManyConnections))
                    }
                }
                metrics.sessionOpened()
                channel.closeFuture.whenComplete { _ in metrics.sessionClosed() }
                return channel.eventLoop.makeCompletedFuture {
                    if implicitTLS, let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPServerHandler(
                        settings: settings,
                        facts: SMTPSessionFacts(clientAddress: client, tls: implicitTLS),
                        decoder: decoder,
                        delegate: delegate,
                        tlsContext: tlsContext,
                        timeouts: timeouts,
                        spoolDirectory: spoolDirectory
                    ))
                }
            }
            .withBoundSocket(socket.descriptor)
            .get()
    }

    func run() async throws {
        let channel = try await accept()
        logger.notice("listening on \(bindAddress) (\(listener.tls), hostname \(listener.hostname)\(listener.tag.map { ", tag \($0)" } ?? ""))")
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        let open = limiter.openChannels
        for session in open { session.pipeline.fireUserInboundEventTriggered(SMTPServerHandler.ShutdownEvent()) }
        for session in open { try? await session.closeFuture.get() }
        logger.notice("stopped listening on \(bindAddress)")
    }

    var sessionSettings: SMTPServerSettings {
        var settings = SMTPServerSettings(hostname: listener.hostname)
        settings.maxMessageSize = configuration.smtp.maxMessageSize
        settings.maxRecipients = configuration.smtp.limits.recipientsPerMessage
        settings.maxErrors = configuration.smtp.limits.errorsPerSession
        settings.startTLSAvailable = tlsContext != nil && listener.tls != .implicitTLS
        settings.tlsRequired = listener.tls == .startTLSRequired
        switch listener.auth {
        case .none: settings.auth = .none
        case .optional: settings.auth = .optional
        case .required: settings.auth = .required
        }
        settings.authWithoutTLS = listener.allowsPlaintextAuth
        return settings
    }

    var sessionTimeouts: SMTPServerTimeouts {
        var timeouts = SMTPServerTimeouts()
        timeouts.command = TimeAmount(configuration.smtp.timeouts.command)
        timeouts.data = TimeAmount(configuration.smtp.timeouts.dataBlock)
        timeouts.rejectDelay = TimeAmount(configuration.smtp.rejectDelay)
        return timeouts
    }
}

/// Answers `421` to a connection that may not have a session (over the
/// session limits, or ingress paused) and closes it.
final class SessionRefusalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let tooManyConnections = "421 4.7.0 Too many connections, try again later\r\n"
    static let paused = "421 4.3.2 Service paused by the operator, try again later\r\n"

    private let reply: String

    init(reply: String) {
        self.reply = reply
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString(reply)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

@available(*, unavailable)
extension SessionRefusalHandler: Sendable {}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
