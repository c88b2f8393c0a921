import Envelope
import FuzzSupport
import NIOCore
import Transport

/// Fuzzes the server side of an SMTP session without a socket: the input
/// is a client's byte stream, split by `SMTPFrameDecoder` into command
/// lines, DATA and BDAT chunks, and each frame drives
/// `SMTPServerStateMachine` (and through it `SMTPCommandParser`) the way
/// `SMTPServerHandler` does. The first byte picks the listener's settings
/// and how the delegate answers; the rest arrives in pieces of varying size.
func fuzzSMTPSession(_ bytes: [UInt8]) {
    guard let selector = bytes.first else { return }
    var settings = SMTPServerSettings(hostname: "mx.fuzz.example")
    settings.startTLSAvailable = selector & 0x01 != 0
    settings.tlsRequired = selector & 0x02 != 0
    settings.auth = selector & 0x04 != 0 ? .optional : (selector & 0x08 != 0 ? .required : .none)
    settings.authWithoutTLS = true
    settings.maxMessageSize = 4096
    settings.maxRecipients = 5
    let policy: BareLineEndingPolicy = selector & 0x10 != 0 ? .normalize : .reject
    var session = Session(
        machine: SMTPServerStateMachine(settings: settings, facts: SMTPSessionFacts(clientAddress: "192.0.2.1")),
        decoder: SMTPFrameDecoder(commandLengthLimit: 512, textLineLimit: 1000, bareLineEndings: policy),
        rejectRecipients: selector & 0x20 != 0,
        failStorage: selector & 0x40 != 0,
        rejectCredentials: selector & 0x80 != 0
    )
    var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
    var offset = 1
    var piece = 1
    while offset < bytes.count, !session.machine.isClosed {
        let end = min(bytes.count, offset + piece)
        buffer.writeBytes(bytes[offset..<end])
        offset = end
        piece = piece % 97 + 13
        session.drain(&buffer)
    }
}

/// One session: the state machine, the decoder and the fake delegate.
struct Session {
    var machine: SMTPServerStateMachine
    var decoder: SMTPFrameDecoder
    let rejectRecipients: Bool
    let failStorage: Bool
    let rejectCredentials: Bool
    var messageSize = 0

    mutating func drain(_ buffer: inout ByteBuffer) {
        while !machine.isClosed, let frame = decoder.next(from: &buffer) {
            switch frame {
            case .command(let line):
                perform(machine.received(line: Array(line.readableBytesView)))
            case .commandTooLong:
                perform(machine.receivedOverlongLine())
            case .data(let chunk), .chunk(let chunk):
                messageSize += chunk.readableBytes
            case .dataEnd(let defects):
                let size = messageSize
                messageSize = 0
                perform(machine.dataEnded(size: size, defects: defects, rejectBareLineEndings: decoder.bareLineEndings == .reject))
            case .chunkEnd:
                let size = messageSize
                messageSize = 0
                perform(machine.chunkEnded(size: size))
            }
        }
    }

    /// Carries out an action as the handler would, feeding the outcome back.
    mutating func perform(_ action: SMTPServerStateMachine.Action) {
        var next: SMTPServerStateMachine.Action? = action
        while let action = next {
            next = nil
            switch action {
            case .reply(let reply), .replyAndClose(let reply):
                precondition((200...559).contains(reply.code), "reply code \(reply.code)")
            case .checkRecipient(let address, _):
                let rejection = rejectRecipients || address.domain.hasSuffix(".invalid")
                next = machine.recipientChecked(rejection: rejection ? SMTPReply(code: 550, "No such user") : nil)
            case .receiveData:
                messageSize = 0
                decoder.expectData()
            case .receiveChunk(let size):
                precondition(size >= 0, "negative chunk size")
                messageSize = 0
                decoder.expectChunk(size: size)
            case .store(let transaction):
                precondition(!transaction.recipients.isEmpty, "storing a message without recipients")
                next = machine.stored(failStorage ? .failure(.storageFull) : .success("0036262jbf8n38em0hb0"))
            case .startTLS:
                machine.tlsEstablished()
            case .authenticate(let user, _):
                next = machine.authenticated(user: rejectCredentials ? nil : user)
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPSessionInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzSMTPSession(Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)))
    return 0
}

@main
enum Main {
    static func main() {
        FuzzMain.run(fuzzSMTPSessionInput, replay: fuzzSMTPSession)
    }
}
