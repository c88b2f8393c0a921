import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Transport

/// The control socket: a Unix socket, mode 0600, on which `ternctl` sends one
/// JSON request per line and gets one JSON response per line (see
/// ``ControlProtocol``). It is bound at start-up, while ternd may still be
/// root, and given to the daemon's account; start-up refuses a socket another
/// daemon answers on, and replaces a stale one.
struct ControlService: Service {
    let path: String
    let channel: any Channel
    let logger: Logger

    /// Binds the socket at `path` (before privileges are dropped), owned by `owner` when given.
    static func bind(path: String, owner: PrivilegeDrop?) throws -> ListeningSocket {
        if (try? ControlClient(path: path)) != nil {
            throw TernDaemon.StartupError(description: "control socket \(path): another ternd answers on it")
        }
        do {
            return try ListeningSocket.bindUnix(path, mode: 0o600, owner: owner)
        } catch {
            throw TernDaemon.StartupError(description: "control socket \(path): \(error)")
        }
    }

    /// Serves `socket` (from ``bind(path:owner:)``) with `dispatcher`.
    init(path: String, socket: ListeningSocket, dispatcher: ControlDispatcher, group: any EventLoopGroup, logger: Logger) async throws {
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ControlLineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(ControlConnectionHandler(dispatcher: dispatcher, logger: logger))
                }
            }
            .withBoundSocket(socket.descriptor)
            .get()
        self.path = path
        self.logger = logger
    }

    func run() async throws {
        logger.notice("control socket \(path)")
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        unlink(path)
    }
}

/// One `ternctl` connection: decodes each request line, runs it, writes the
/// response line; requests on one connection are answered in order.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: ControlDispatcher
    private let logger: Logger
    /// The response of the previous request, so that answers keep their order.
    private var previous: EventLoopFuture<Void>?

    init(dispatcher: ControlDispatcher, logger: Logger) {
        self.dispatcher = dispatcher
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        let request: ControlRequest
        do {
            request = try ControlProtocol.decode(ControlRequest.self, from: line.readableBytesView)
        } catch {
            respond(context: context, .failed("malformed request: \(error)"))
            return
        }
        guard request.version <= ControlProtocol.version else {
            respond(context: context, .failed("protocol version \(request.version) is not supported; this ternd speaks version \(ControlProtocol.version)"))
            return
        }
        logger.debug("control: \(request.command.name)")
        let dispatcher = self.dispatcher
        let channel = context.channel
        let result = channel.eventLoop.makeFutureWithTask { await dispatcher.handle(request.command) }
        let after = previous ?? channel.eventLoop.makeSucceededVoidFuture()
        let loopBound = NIOLoopBound(self, eventLoop: channel.eventLoop)
        let contextBound = NIOLoopBound(context, eventLoop: channel.eventLoop)
        previous = after.flatMap { result }.map { result in
            loopBound.value.respond(context: contextBound.value, result)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is ControlLineDecoder.LineTooLong {
            respond(context: context, .failed("request longer than \(ControlProtocol.maxLineLength) bytes"))
        }
        context.close(promise: nil)
    }

    private func respond(context: ChannelHandlerContext, _ result: ControlResult) {
        let bytes: [UInt8]
        do {
            bytes = try ControlProtocol.encode(ControlResponse(result))
        } catch {
            bytes = (try? ControlProtocol.encode(ControlResponse(.failed("cannot encode the response: \(error)")))) ?? []
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }
}

@available(*, unavailable)
extension ControlConnectionHandler: Sendable {}

extension ControlCommand {
    /// The command's name, for logs.
    var name: String {
        switch self {
        case .showQueue: "show queue"
        case .showMessage: "show message"
        case .showStats: "show stats"
        case .showStatus: "show status"
        case .showHosts: "show hosts"
        case .pause(let flow): "pause \(flow)"
        case .resume(let flow): "resume \(flow)"
        case .schedule: "schedule"
        case .hold: "hold"
        case .release: "release"
        case .remove: "remove"
        case .updateTable(let name): "update table \(name)"
        case .log(let verbose): "log \(verbose ? "verbose" : "brief")"
        case .trace(let subsystem, let enabled): "trace \(subsystem) \(enabled ? "on" : "off")"
        case .enqueue: "enqueue"
        case .checkRecipient: "check recipient"
        case .importArchive(let path): "import \(path)"
        case .replay: "replay"
        }
    }
}
