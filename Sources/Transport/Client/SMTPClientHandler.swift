import Envelope
import Logging
import NIOCore
import NIOSSL

/// The NIO side of `SMTPClientStateMachine`: splits the server's bytes into
/// lines, feeds them to the machine, performs its actions (writes, TLS,
/// completing the caller's promises, closing) and runs the time-outs.
///
/// Requests arrive as `SMTPClientRequest` writes. One request is pending
/// at a time; the state machine refuses a second.
///
/// Time-outs: one deadline, moved after every event to now plus the
/// time-out of the machine's `awaitedPhase`. While the message is being
/// written it is the data-block time-out, restarted as each block of at
/// most `messageBlockSize` octets is taken by the kernel (RFC 5321
/// §4.5.3.2.5); after the last block it is the end-of-data time-out. One
/// scheduled timer watches the deadline: moving the deadline later leaves
/// the timer alone (when it fires early it schedules itself again for the
/// deadline), so a busy connection costs no timer churn per command.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPClientRequest
    typealias OutboundOut = ByteBuffer

    /// The size of the blocks the message is written in.
    static let messageBlockSize = 64 * 1024

    private enum Pending {
        case connect(EventLoopPromise<SMTPClientSession>)
        case transaction(EventLoopPromise<[RecipientResult]>)
        case reset(EventLoopPromise<Void>)
        case quit(EventLoopPromise<Void>)
    }

    private var machine: SMTPClientStateMachine
    private let timeouts: SMTPClientTimeouts
    private let startTLS: (context: NIOSSLContext, serverHostname: String?)?
    private let status: SMTPClientConnectionStatus
    private var logger: Logger
    private var pending: Pending?
    private var context: ChannelHandlerContext?
    private var inbound = ByteBuffer()
    private var timer: Scheduled<Void>?
    /// When the scheduled timer fires; it may be earlier than `deadline`.
    private var timerFiresAt = NIODeadline.distantPast
    /// When the phase being waited for times out, and which phase that is;
    /// nil when nothing is awaited (the session is closed).
    private var deadline: (at: NIODeadline, phase: SMTPClientTimeouts.Phase)?
    private var messageBlocksInFlight = 0

    /// A handler for a new connection; `connected` completes when the
    /// session is ready (or fails with a `DeliveryError`).
    init(
        machine: SMTPClientStateMachine,
        timeouts: SMTPClientTimeouts,
        startTLS: (context: NIOSSLContext, serverHostname: String?)?,
        status: SMTPClientConnectionStatus,
        logger: Logger,
        connected: EventLoopPromise<SMTPClientSession>
    ) {
        self.machine = machine
        self.timeouts = timeouts
        self.startTLS = startTLS
        self.status = status
        self.logger = logger
        self.logger[metadataKey: "remote"] = "\(machine.configuration.remoteHost)"
        self.pending = .connect(connected)
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { armTimer() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        failPending(.connectionLost(machine.configuration.remoteHost, "handler removed"))
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        armTimer()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        handle { $0.connectionClosed() }
        cancelTimer()
        failPending(.connectionLost(machine.configuration.remoteHost, "connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure: SMTPClientStateMachine.ConnectionFailure =
            error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
            ? .tls("\(error)") : .io("\(error)")
        logger.debug("connection error", metadata: ["error": "\(error)"])
        handle { $0.connectionFailed(failure) }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        inbound.writeBuffer(&bytes)
        // Stops once the session is closed. After a STARTTLS 220 the buffer
        // must be empty: `installTLS` refuses anything left in it.
        while machine.awaitedPhase != nil, let line = nextLine() {
            handle { $0.receivedLine(line) }
        }
        inbound.discardReadBytes()
    }

    // MARK: - Requests

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        promise?.succeed(())
        guard pending == nil else {
            request.fail(.notReady(machine.configuration.remoteHost))
            return
        }
        let before = tracedStateName
        let action: SMTPClientStateMachine.Action
        switch request {
        case .send(let transaction, let promise):
            action = machine.startTransaction(transaction)
            pending = .transaction(promise)
        case .reset(let promise):
            action = machine.reset()
            pending = .reset(promise)
        case .quit(let promise):
            action = machine.quit()
            pending = .quit(promise)
        }
        if case .rejectRequest(let error) = action {
            pending = nil
            request.fail(error)
            return
        }
        status.isReusable = machine.isReusable
        perform(action)
        afterEvent(from: before)
    }

    // MARK: - Performing actions

    /// Feeds one event to the machine and performs its action.
    private func handle(_ event: (inout SMTPClientStateMachine) -> SMTPClientStateMachine.Action) {
        let before = tracedStateName
        let action = event(&machine)
        // Before any promise completes, so a caller never sees a stale status.
        status.isReusable = machine.isReusable
        perform(action)
        afterEvent(from: before)
    }

    /// The state's name when transitions are logged (trace level), else nil:
    /// the name is not built for every event when nobody reads it.
    private var tracedStateName: String? {
        logger.logLevel <= .trace ? machine.stateName : nil
    }

    private func afterEvent(from before: String?) {
        if let before {
            let after = machine.stateName
            if before != after { logger.trace("\(before) -> \(after)") }
        }
        status.isReusable = machine.isReusable
        armTimer()
    }

    private func perform(_ action: SMTPClientStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case .send(let commands):
            context.writeAndFlush(wrapOutboundOut(commands), promise: nil)
        case .sendMessage(let message):
            writeMessage(message, context: context)
        case .startTLS:
            installTLS(context: context)
        case .complete(let completion):
            complete(completion)
        case .completeAndClose(let completion):
            complete(completion)
            context.close(promise: nil)
        case .fail(let error):
            logger.debug("session failed", metadata: ["error": "\(error)"])
            failPending(error)
            context.close(promise: nil)
        case .rejectRequest(let error):
            // Only `write` asks for requests, and it handles refusals itself.
            logger.debug("request refused", metadata: ["error": "\(error)"])
        }
    }

    private func writeMessage(_ message: ByteBuffer, context: ChannelHandlerContext) {
        var remaining = message
        while let block = remaining.readSlice(length: min(Self.messageBlockSize, remaining.readableBytes)),
            block.readableBytes > 0
        {
            let written = context.eventLoop.makePromise(of: Void.self)
            messageBlocksInFlight += 1
            context.write(wrapOutboundOut(block), promise: written)
            written.futureResult.assumeIsolated().whenComplete { [self] _ in
                messageBlocksInFlight -= 1
                armTimer()
            }
        }
        context.flush()
    }

    /// Puts TLS under the session after the server's `220` to `STARTTLS`.
    private func installTLS(context: ChannelHandlerContext) {
        guard inbound.readableBytes == 0 else {
            handle { $0.receivedDataBeforeTLS() }
            return
        }
        guard let startTLS else {
            handle { $0.connectionFailed(.tls("no TLS context")) }
            return
        }
        do {
            let tls = try NIOSSLClientHandler(context: startTLS.context, serverHostname: startTLS.serverHostname)
            try context.pipeline.syncOperations.addHandler(tls, position: .first)
        } catch {
            handle { $0.connectionFailed(.tls("\(error)")) }
            return
        }
        // NIOSSL holds writes until its handshake is done, so the EHLO that
        // follows is the first thing sent under TLS.
        handle { $0.tlsStarted() }
    }

    private func complete(_ completion: SMTPClientStateMachine.Completion) {
        let finished = pending
        pending = nil
        switch (finished, completion) {
        case (.connect(let promise), .connected(let capabilities)):
            promise.succeed(SMTPClientSession(capabilities: capabilities, isTLSActive: machine.isTLSActive))
        case (.transaction(let promise), .transaction(let results)):
            promise.succeed(results)
        case (.reset(let promise), .reset):
            promise.succeed(())
        case (.quit(let promise), .quit):
            promise.succeed(())
        case (nil, _):
            // The client quit by itself after the idle time-out.
            break
        case (let other?, _):
            pending = other
            failPending(.protocolViolation(machine.configuration.remoteHost, "session ended out of turn"))
        }
    }

    private func failPending(_ error: DeliveryError) {
        let failed = pending
        pending = nil
        switch failed {
        case .connect(let promise): promise.fail(error)
        case .transaction(let promise): promise.fail(error)
        case .reset(let promise): promise.fail(error)
        case .quit(let promise): promise.succeed(())
        case nil: break
        }
    }

    // MARK: - Lines

    /// The next complete line in `inbound`, without its line feed. A line
    /// longer than the reply parser's limit is handed over unfinished, so
    /// the parser refuses it rather than this buffer growing without end.
    private func nextLine() -> Substring? {
        let view = inbound.readableBytesView
        guard let lineFeed = view.firstIndex(of: UInt8(ascii: "\n")) else {
            guard inbound.readableBytes > SMTPReplyParser.maximumLineLength + 2 else { return nil }
            return Substring(inbound.readString(length: inbound.readableBytes) ?? "")
        }
        let length = lineFeed - view.startIndex
        let line = inbound.readString(length: length) ?? ""
        inbound.moveReaderIndex(forwardBy: 1)
        return Substring(line)
    }

    // MARK: - Time-outs

    /// Moves the deadline to now plus the time-out of what the session
    /// waits for; schedules the timer only when the deadline comes before it.
    private func armTimer() {
        guard let context, context.channel.isActive, var phase = machine.awaitedPhase else {
            deadline = nil
            return
        }
        if machine.isAwaitingMessageReply && messageBlocksInFlight > 0 { phase = .dataBlock }
        let at = context.eventLoop.now + TimeAmount(timeouts[phase])
        deadline = (at, phase)
        if timer == nil || timerFiresAt > at {
            scheduleTimer(at: at, on: context.eventLoop)
        }
    }

    private func scheduleTimer(at: NIODeadline, on eventLoop: any EventLoop) {
        timer?.cancel()
        timerFiresAt = at
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: at) { [self] in
            timer = nil
            guard let deadline, let context else { return }
            guard context.eventLoop.now >= deadline.at else {
                scheduleTimer(at: deadline.at, on: context.eventLoop)
                return
            }
            logger.debug("time-out", metadata: ["waiting for": "\(deadline.phase.rawValue)"])
            handle { $0.timedOut() }
        }
    }

    private func cancelTimer() {
        deadline = nil
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension SMTPClientHandler: Sendable {}
