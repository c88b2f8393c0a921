import Envelope
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Queue
import ServiceLifecycle
import Transport

/// The daemon assembled from a configuration: the journal, the tables, one
/// service per listener, all under one service group that shuts down
/// gracefully on SIGTERM or SIGINT.
public enum TernDaemon {
    /// A start-up failure: what could not be set up, in words.
    public struct StartupError: Error, CustomStringConvertible {
        public let description: String
    }

    /// What start-up did while ternd may still have been root: the bound
    /// listeners and control socket and the spill directory, for `run`.
    public struct Startup: Sendable {
        let sockets: [(ListenerConfig, [ListeningSocket])]
        let controlSocket: ListeningSocket
        let submissionSocket: ListeningSocket
        let spoolDirectory: String
        let certificates: ServerCertificates
    }

    /// Start-up's privileged part, synchronous, on the main thread before any
    /// task runs: creates the queue and spill directories (for the `user`
    /// account when started as root), binds every listener and the control
    /// socket, reads every pki's certificate and key, then switches to `user`.
    ///
    /// It must run before Swift's async runtime starts: an async `main` parks
    /// the main thread in libdispatch's `sigsuspend` with every signal
    /// blocked, and glibc switches the other threads' credentials with a
    /// signal to each, so a switch made later leaves the main thread root.
    public static func start(configuration: Configuration, logger: Logger) throws -> Startup {
        var privileges = try configuration.user.map { try PrivilegeDrop(user: $0) }
        if let user = configuration.user, !PrivilegeDrop.isPrivileged {
            logger.notice("user \(user) ignored: ternd was not started as root")
            privileges = nil
        }
        try privileges?.prepareQueueDirectory(configuration.queue.path)
        let spoolDirectory = try prepareSpoolDirectory(queuePath: configuration.queue.path)
        try privileges?.handOver(spoolDirectory)
        let sockets = try configuration.listeners.map { listener in
            (listener, try bindAddresses(listener).map { try ListeningSocket.bind($0) })
        }
        let controlSocket = try ControlService.bind(path: configuration.controlSocketPath, owner: privileges)
        let submissionSocket = try SubmissionSocketService.bind(
            path: SubmissionSocketService.path(besideControlSocket: configuration.controlSocketPath), owner: privileges
        )
        let certificates = try ServerCertificates(configuration.pkis)
        if let privileges {
            try privileges.drop()
            logger.notice("running as user \(privileges.name) (uid \(privileges.uid), gid \(privileges.gid))")
        }
        return Startup(
            sockets: sockets, controlSocket: controlSocket, submissionSocket: submissionSocket, spoolDirectory: spoolDirectory,
            certificates: certificates
        )
    }

    /// Runs until SIGTERM/SIGINT, then stops accepting, lets sessions finish
    /// and closes the journal.
    /// - Parameters:
    ///   - startup: what `start` prepared.
    ///   - configurationPath: the file SIGHUP re-reads; nil for the embedded default.
    ///   - logLevels: the levels `ternctl log` and `ternctl trace` change; the
    ///     subsystems log through loggers labelled `tern.smtp`, `tern.delivery`,
    ///     `tern.journal` and `tern.control`.
    public static func run(
        _ startup: Startup, configuration: Configuration, configurationPath: String?, logger: Logger,
        logLevels: LogLevelControl = LogLevelControl(level: .info)
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: eventLoopThreads)
        let delivery = DeliveryEventLoop(priority: configuration.deliveryPriority, logger: logger)
        do {
            try await run(
                startup, configuration: configuration, configurationPath: configurationPath, logger: logger, logLevels: logLevels,
                group: group, delivery: delivery
            )
        } catch {
            await delivery.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        await delivery.shutdown()
        try await group.shutdownGracefully()
    }

    /// Event-loop threads for the listeners, control and metrics: one fewer
    /// than the cores, at least one (delivery has a thread of its own,
    /// ``DeliveryEventLoop``). Under load the journal writer and delivery keep
    /// about a core busy besides them; on the 2-core benchmark machine one
    /// event loop instead of two took a fifth off ternd's CPU per relayed
    /// message, with higher rates and a lower p99 (README, "Where ternd's time goes").
    static var eventLoopThreads: Int { max(1, System.coreCount - 1) }

    private static func run(
        _ startup: Startup, configuration: Configuration, configurationPath: String?, logger: Logger,
        logLevels: LogLevelControl, group: MultiThreadedEventLoopGroup, delivery: DeliveryEventLoop
    ) async throws {
        let started = Date()
        let smtpLogger = Logger(label: "tern.smtp")
        let deliveryLogger = Logger(label: "tern.delivery")
        let store: ConfigurationStore
        do {
            store = ConfigurationStore(try ConfigurationStore.load(configuration))
        } catch {
            throw StartupError(description: "\(error)")
        }
        let spoolDirectory = startup.spoolDirectory
        let metrics = DaemonMetrics(factory: DaemonMetrics.prometheusFactory(registry: DaemonMetrics.processRegistry))
        try checkQueueDirectory(configuration.queue.path)
        var options = Journal.Options()
        options.mapSize = max(options.mapSize, configuration.queue.mapSize)
        options.commitObserver = { metrics.journalCommitted(submissions: $0, duration: $1) }
        let journal = try Journal(path: configuration.queue.path, options: options, logger: Logger(label: "tern.journal"))
        let counts = try journal.counts()
        logger.notice("journal \(configuration.queue.path): \(counts.messages) messages, \(counts.scheduled) recipients scheduled")

        let limiter = SessionLimiter(maxSessions: configuration.smtp.limits.sessions, maxPerClient: configuration.smtp.limits.sessionsPerClient)
        let ids = MessageIDGenerator()
        let resolver = SystemResolver(configuration: ResolverConfiguration(
            nameserver: configuration.resolver.map { ($0.address.description, $0.port) }
        ))
        let destinationLimiter = DestinationLimiter(limits: configuration.limits)
        let remote = RemoteDeliveryAgent(
            resolver: resolver, group: delivery.group, store: store, hostname: configuration.hostname,
            pool: ConnectionPool(metrics: metrics), limiter: destinationLimiter, logger: deliveryLogger
        )
        let scheduler = DeliveryScheduler(
            journal: journal, store: store, agents: DeliveryAgents(local: LocalDeliveryAgent(store: store), remote: remote),
            metrics: metrics, logger: deliveryLogger, executor: delivery
        )
        let gate = IngressGate()
        var listenerNames: [String] = []
        // Services stop in reverse order: listeners first, then delivery, the journal last.
        var services: [any Service] = [
            JournalService(journal: journal, logger: logger), scheduler,
            ConfigurationReloadService(store: store, path: configurationPath, logger: logger),
            QueueSamplingService(journal: journal, metrics: metrics, logger: logger),
        ]
        if let endpoint = configuration.metrics {
            let address = try SocketAddress(ipAddress: endpoint.address.description, port: endpoint.port)
            services.append(try await MetricsEndpointService(bindAddress: address, registry: DaemonMetrics.processRegistry, group: group, logger: logger))
        }
        for (listener, listenerSockets) in startup.sockets {
            let tlsContext = try listener.pki.map { try startup.certificates.context(forListenerPKI: $0) }
            let credentials = listener.auth.table.map { CredentialChecker(table: $0, store: store) }
            let delegate = IngressDelegate(
                store: store, listener: listener, journal: journal,
                ids: ids, credentials: credentials, stored: { scheduler.notify() }, metrics: metrics, logger: smtpLogger
            )
            for socket in listenerSockets {
                services.append(SMTPListenerService(
                    listener: listener, socket: socket, delegate: delegate, configuration: configuration,
                    tlsContext: tlsContext, limiter: limiter, gate: gate, spoolDirectory: spoolDirectory, group: group,
                    metrics: metrics, logger: smtpLogger
                ))
                listenerNames.append("\(socket.address) (\(listener.tls)\(listener.tag.map { ", tag \($0)" } ?? ""))")
            }
        }
        let dispatcher = ControlDispatcher(
            journal: journal, scheduler: scheduler, store: store, gate: gate, limiter: destinationLimiter, logLevels: logLevels, metrics: metrics,
            ids: ids, started: started, listeners: listenerNames, logger: Logger(label: "tern.control")
        )
        services.insert(
            try await ControlService(
                path: configuration.controlSocketPath, socket: startup.controlSocket, dispatcher: dispatcher, group: group, logger: Logger(label: "tern.control")
            ),
            at: 1
        )
        services.append(SubmissionSocketService(
            path: SubmissionSocketService.path(besideControlSocket: configuration.controlSocketPath),
            socket: startup.submissionSocket, dispatcher: dispatcher,
            maxRequestLength: SubmissionSocketService.requestLimit(maxMessageSize: configuration.smtp.maxMessageSize),
            logger: Logger(label: "tern.control")
        ))
        let serviceGroup = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        logger.notice("ternd started: hostname \(configuration.hostname), pid \(getpid())")
        try await serviceGroup.run()
        logger.notice("ternd stopped")
    }

    /// Refuses a queue directory that others could write to or that belongs
    /// to another user: whoever can write there can forge or destroy mail.
    static func checkQueueDirectory(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }  // created 0700 by the journal
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw StartupError(description: "queue path \(path) is not a directory")
        }
        guard info.st_uid == geteuid() else {
            throw StartupError(description: "queue directory \(path) belongs to uid \(info.st_uid), not to the user ternd runs as (uid \(geteuid()))")
        }
        guard info.st_mode & 0o022 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw StartupError(description: "queue directory \(path) is writable by group or others (mode \(mode)); run chmod 700 on it")
        }
    }

    /// Creates the spill directory beside the journal and empties it: spill
    /// files are never durable state (DESIGN.md, contract 4).
    static func prepareSpoolDirectory(queuePath: String) throws -> String {
        let directory = URL(fileURLWithPath: queuePath).deletingLastPathComponent().appendingPathComponent("spool").path
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for leftover in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where leftover.hasPrefix("spool-") {
            try? manager.removeItem(atPath: directory + "/" + leftover)
        }
        return directory
    }

    /// The socket addresses of a listener: its IP, or every address of its interface.
    static func bindAddresses(_ listener: ListenerConfig) throws -> [SocketAddress] {
        switch listener.address {
        case .ip(let literal):
            do {
                return [try SocketAddress(ipAddress: literal.description, port: listener.port)]
            } catch {
                throw StartupError(description: "listen on \(literal): \(error)")
            }
        case .interface(let name):
            let addresses = try System.enumerateDevices().filter { $0.name == name }.compactMap(\.address).compactMap { address -> SocketAddress? in
                guard let ip = address.ipAddress, address.protocol == .inet || address.protocol == .inet6 else { return nil }
                return try? SocketAddress(ipAddress: ip, port: listener.port)
            }
            guard !addresses.isEmpty else { throw StartupError(description: "listen on \(name): no such interface with an IP address") }
            return addresses
        }
    }
}
