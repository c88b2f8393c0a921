import Envelope
import NIOCore
import NIOSSL
import NIOTLS
#if canImport(Glibc)
import Glibc
#endif

/// Time limits of a server session (RFC 5321 §4.5.3.2 gives the client's side;
/// a server should wait at least as long).
public struct SMTPServerTimeouts: Sendable {
    /// Waiting for the next command.
    public var command: TimeAmount = .minutes(5)
    /// Waiting for more message data.
    public var data: TimeAmount = .minutes(3)
    /// How long to wait before sending a 5xx reply (a tarpit for address harvesters); zero for none.
    public var rejectDelay: TimeAmount = .zero

    public init() {}
}

/// The NIO adapter of `SMTPServerStateMachine`: it feeds client bytes through
/// `SMTPFrameDecoder` into the machine, carries out the actions (replies,
/// spooling, storing through the delegate, STARTTLS), flushes replies once per
/// read so that pipelined commands get their replies in one write, and holds
/// input while an asynchronous step is pending.
public final class SMTPServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Sent through the pipeline when the daemon stops: the session ends with
    /// 421 now, or right after a pending store completes.
    public struct ShutdownEvent: Sendable {
        public init() {}
    }

    private var machine: SMTPServerStateMachine
    private var decoder: SMTPFrameDecoder
    private let delegate: any SMTPServerDelegate
    private let tlsContext: NIOSSLContext?
    private let timeouts: SMTPServerTimeouts
    private var input = ByteBuffer()
    private var spool: MessageSpool
    private var prepared: PreparedMessage?
    private var chunkSize = 0
    /// An asynchronous step (store, TLS handshake, credential check) is pending.
    private var waiting = false
    /// The pending step is the client's TLS handshake, which the idle timeout covers.
    private var handshaking = false
    private var closing = false
    private var shutdownRequested = false
    /// Reading is paused because too much input piled up while waiting.
    private var readingPaused = false
    private var timer: Scheduled<Void>?
    /// When the scheduled timer fires; it may be earlier than `deadline`.
    private var timerFiresAt = NIODeadline.distantPast
    /// When the session times out unless input arrives first.
    private var deadline = NIODeadline.distantFuture
    private var context: ChannelHandlerContext?

    public init(
        settings: SMTPServerSettings,
        facts: SMTPSessionFacts,
        decoder: SMTPFrameDecoder,
        delegate: any SMTPServerDelegate,
        tlsContext: NIOSSLContext?,
        timeouts: SMTPServerTimeouts,
        spoolDirectory: String
    ) {
        machine = SMTPServerStateMachine(settings: settings, facts: facts)
        self.decoder = decoder
        self.delegate = delegate
        self.tlsContext = tlsContext
        self.timeouts = timeouts
        spool = MessageSpool(directory: spoolDirectory)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        timer?.cancel()
        spool.discard()
    }

    public func channelActive(context: ChannelHandlerContext) {
        delegate.sessionEvent("connect", facts: machine.facts)
        send(machine.greeting(), context: context)
        context.flush()
        armTimer(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        if decoder.isReadingMessage || prepared != nil {
            delegate.sessionEvent("disconnect during message, nothing stored", facts: machine.facts)
        }
        spool.discard()
        prepared = nil
        delegate.sessionEvent("disconnect", facts: machine.facts)
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !closing else { return }
        input.writeBuffer(&bytes)
        armTimer(context: context)
        process(context: context)
        if waiting && input.readableBytes > Self.heldInputLimit && !readingPaused {
            // A client that keeps sending while we store or check credentials is not read further until we resume.
            readingPaused = true
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        }
    }

    /// Input held while an asynchronous step runs, beyond which reading pauses.
    static let heldInputLimit = 256 * 1024

    public func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ShutdownEvent {
            shutdownRequested = true
            if !waiting { perform(machine.shuttingDown(), context: context) }
            return
        }
        if case .handshakeCompleted = event as? TLSUserEvent {
            handshaking = false
            machine.tlsEstablished()
            delegate.sessionEvent("TLS established", facts: machine.facts)
            resume(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        delegate.sessionEvent("error: \(error)", facts: machine.facts)
        context.close(promise: nil)
    }

    // MARK: - Input

    private func process(context: ChannelHandlerContext) {
        while !waiting && !closing, let frame = decoder.next(from: &input) {
            switch frame {
            case .command(let line):
                perform(machine.received(line: Array(line.readableBytesView)), context: context)
                // RSET, HELO or an error between BDAT chunks ends the transaction.
                if machine.currentTransaction == nil && prepared != nil { dropMessage() }
            case .commandTooLong:
                perform(machine.receivedOverlongLine(), context: context)
            case .data(let bytes):
                spool.write(bytes, maxSize: machine.settings.maxMessageSize + (prepared?.header.count ?? 0))
            case .dataEnd(let defects):
                let size = spool.size - (prepared?.header.count ?? 0)
                messageStep(machine.dataEnded(size: size, defects: defects, rejectBareLineEndings: decoder.bareLineEndings == .reject), context: context)
            case .chunk(let bytes):
                chunkSize += bytes.readableBytes
                spool.write(bytes, maxSize: machine.settings.maxMessageSize + (prepared?.header.count ?? 0))
            case .chunkEnd:
                let size = chunkSize
                chunkSize = 0
                messageStep(machine.chunkEnded(size: size), context: context)
            }
        }
        if input.readableBytes == 0 { input.clear() } else { input.discardReadBytes() }
    }

    /// Performs the action that ends DATA or a chunk; a refused message is dropped.
    private func messageStep(_ action: SMTPServerStateMachine.Action, context: ChannelHandlerContext) {
        if machine.currentTransaction == nil { dropMessage() }
        perform(action, context: context)
    }

    private func perform(_ action: SMTPServerStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .reply(let reply) where reply.code >= 500 && timeouts.rejectDelay > .zero:
            delayedReply(reply, context: context)
        case .reply(let reply):
            send(reply, context: context)
        case .replyAndClose(let reply):
            send(reply, context: context)
            closing = true
            context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: nil)
            context.close(promise: nil)
        case .checkRecipient(let address, let parameters):
            let sender = machine.currentTransaction?.sender ?? .null
            let verdict = delegate.checkRecipient(address, parameters: parameters, sender: sender, facts: machine.facts)
            perform(machine.recipientChecked(rejection: verdict), context: context)
        case .receiveData(let reply):
            send(reply, context: context)
            context.flush()
            begin(context: context)
            decoder.expectData()
        case .receiveChunk(let size):
            if prepared == nil { begin(context: context) }
            chunkSize = 0
            decoder.expectChunk(size: size)
        case .store(let transaction):
            store(transaction, context: context)
        case .startTLS(let reply):
            startTLS(reply, context: context)
        case .authenticate(let user, let password):
            waiting = true
            let delegate = self.delegate
            let loop = context.eventLoop
            let bound = NIOLoopBound(self, eventLoop: loop)
            Task {
                let result = await delegate.authenticate(user: user, password: password)
                loop.execute {
                    let handler = bound.value
                    guard let context = handler.context else { return }
                    handler.perform(handler.machine.authenticated(user: result), context: context)
                    handler.resume(context: context)
                }
            }
        }
    }

    private func begin(context: ChannelHandlerContext) {
        spool.discard()
        if let transaction = machine.currentTransaction {
            let message = delegate.prepareMessage(transaction, facts: machine.facts)
            prepared = message
            spool.write(bytes: message.header)
        }
    }

    private func dropMessage() {
        spool.discard()
        prepared = nil
    }

    private func store(_ transaction: SMTPTransaction, context: ChannelHandlerContext) {
        let (failure, failedForSpace) = (spool.failure, spool.failedForSpace)  // finish() forgets them
        guard let message = prepared, let body = spool.finish() else {
            dropMessage()
            delegate.sessionEvent("spool failure: \(failure ?? "no message")", facts: machine.facts)
            perform(machine.stored(.failure(failedForSpace ? .storageFull : .localError)), context: context)
            return
        }
        prepared = nil
        waiting = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        delegate.store(message, transaction: transaction, body: body, facts: machine.facts, eventLoop: context.eventLoop).whenSuccess { result in
            if case .file(let path, _) = body { unlink(path) }
            let handler = bound.value
            guard let context = handler.context else { return }
            handler.perform(handler.machine.stored(result), context: context)
            handler.resume(context: context)
        }
    }

    private func startTLS(_ reply: SMTPReply, context: ChannelHandlerContext) {
        guard let tlsContext else {
            // STARTTLS was offered without a certificate. The machine now waits
            // for a handshake that cannot happen, so the session ends (RFC 3207 §4).
            delegate.sessionEvent("STARTTLS without a TLS context", facts: machine.facts)
            perform(.replyAndClose(SMTPReply(code: 454, status: .temporarySecurityFailure, "TLS not available due to temporary reason")), context: context)
            return
        }
        send(reply, context: context)
        context.flush()
        // Anything pipelined after STARTTLS was sent in clear text: discard it (RFC 3207 §4.2).
        input.clear()
        waiting = true
        handshaking = true
        do {
            try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext), position: .first)
        } catch {
            delegate.sessionEvent("cannot start TLS: \(error)", facts: machine.facts)
            context.close(promise: nil)
        }
    }

    /// Holds input, waits `rejectDelay`, then sends `reply` and goes on.
    private func delayedReply(_ reply: SMTPReply, context: ChannelHandlerContext) {
        waiting = true
        context.flush()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: timeouts.rejectDelay) {
            let handler = bound.value
            guard let context = handler.context, !handler.closing else { return }
            handler.send(reply, context: context)
            handler.resume(context: context)
        }
    }

    /// Continues with buffered input after an asynchronous step.
    private func resume(context: ChannelHandlerContext) {
        waiting = false
        if readingPaused {
            readingPaused = false
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        }
        armTimer(context: context)
        if shutdownRequested && !closing {
            perform(machine.shuttingDown(), context: context)
            return
        }
        process(context: context)
        context.flush()
    }

    // MARK: - Output and timers

    private func send(_ reply: SMTPReply, context: ChannelHandlerContext) {
        let text = reply.encoded(enhancedStatusCodes: machine.enhancedStatusCodes)
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    /// (Re)starts the idle timeout. It does not run out while the session
    /// waits for the delegate, and starts afresh when that wait ends.
    ///
    /// Input only moves the deadline; the one scheduled timer, when it fires
    /// early, re-schedules itself for the deadline. So a busy session costs
    /// no timer churn per command.
    private func armTimer(context: ChannelHandlerContext) {
        let limit = decoder.isReadingMessage ? timeouts.data : timeouts.command
        deadline = context.eventLoop.now + limit
        if timer == nil || timerFiresAt > deadline {
            scheduleTimer(context: context)
        }
    }

    private func scheduleTimer(context: ChannelHandlerContext) {
        timer?.cancel()
        timerFiresAt = deadline
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let handler = bound.value
            handler.timer = nil
            guard let context = handler.context, !handler.waiting || handler.handshaking, !handler.closing else { return }
            guard context.eventLoop.now >= handler.deadline else {
                handler.scheduleTimer(context: context)
                return
            }
            handler.delegate.sessionEvent("timeout", facts: handler.machine.facts)
            handler.perform(handler.machine.timedOut(), context: context)
        }
    }
}

@available(*, unavailable)
extension SMTPServerHandler: Sendable {}
