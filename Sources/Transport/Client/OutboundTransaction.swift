import Envelope
import NIOCore

/// One message for one server: the envelope and the body to send in one
/// mail transaction (RFC 5321 §3.3).
///
/// The body is the message as stored: headers and body with CRLF line
/// endings, not dot-stuffed. The client stuffs dots on the way out and adds
/// a final CRLF if the body lacks one.
public struct OutboundTransaction: Sendable {
    /// The reverse path for `MAIL FROM` (`<>` for DSNs).
    public let sender: ReversePath
    /// The recipients, in the order their results come back.
    public let recipients: [OutboundRecipient]
    /// The message with CRLF line endings, not dot-stuffed.
    public let body: ByteBuffer
    /// `ENVID`, passed on when the server announces `DSN`.
    public let envelopeID: String?
    /// `RET`, passed on when the server announces `DSN`.
    public let ret: DSNReturn?
    /// Whether the transaction needs `SMTPUTF8` (RFC 6531): the caller said
    /// so (the message has UTF-8 headers), or an address is not ASCII.
    public let requiresSMTPUTF8: Bool
    /// Whether the body has octets above 127, so it needs `BODY=8BITMIME`.
    public let containsEightBitData: Bool
    /// The body as written after `354`: dot-stuffed and terminated (see `SMTPDataEncoder`).
    let wireBody: ByteBuffer

    /// A transaction.
    ///
    /// - Parameter smtpUTF8: whether the message itself needs `SMTPUTF8`
    ///   (it arrived with `SMTPUTF8`, RFC 6532 headers); non-ASCII addresses
    ///   make it needed regardless.
    public init(
        sender: ReversePath,
        recipients: [OutboundRecipient],
        body: ByteBuffer,
        envelopeID: String? = nil,
        ret: DSNReturn? = nil,
        smtpUTF8: Bool = false
    ) {
        let encoded = body.withUnsafeReadableBytes { SMTPDataEncoder.encode($0) }
        self.init(
            sender: sender, recipients: recipients, body: body, encoded: encoded,
            envelopeID: envelopeID, ret: ret, smtpUTF8: smtpUTF8)
    }

    /// A transaction whose body is given as bytes.
    ///
    /// The bytes are copied once, into the wire form; `body` shares that
    /// copy unless dots had to be stuffed or a final CRLF added.
    public init(
        sender: ReversePath,
        recipients: [OutboundRecipient],
        body: [UInt8],
        envelopeID: String? = nil,
        ret: DSNReturn? = nil,
        smtpUTF8: Bool = false
    ) {
        let encoded = body.withUnsafeBytes { SMTPDataEncoder.encode($0) }
        let sentAsIs = encoded.wire.readableBytes == body.count + 3
        let buffer =
            sentAsIs
            ? encoded.wire.getSlice(at: encoded.wire.readerIndex, length: body.count) ?? ByteBuffer(bytes: body)
            : ByteBuffer(bytes: body)
        self.init(
            sender: sender, recipients: recipients, body: buffer, encoded: encoded,
            envelopeID: envelopeID, ret: ret, smtpUTF8: smtpUTF8)
    }

    private init(
        sender: ReversePath,
        recipients: [OutboundRecipient],
        body: ByteBuffer,
        encoded: (wire: ByteBuffer, containsEightBitData: Bool),
        envelopeID: String?,
        ret: DSNReturn?,
        smtpUTF8: Bool
    ) {
        self.sender = sender
        self.recipients = recipients
        self.body = body
        self.envelopeID = envelopeID
        self.ret = ret
        self.requiresSMTPUTF8 =
            smtpUTF8 || (sender.address?.requiresSMTPUTF8 ?? false)
            || recipients.contains { $0.address.requiresSMTPUTF8 }
        self.containsEightBitData = encoded.containsEightBitData
        self.wireBody = encoded.wire
    }
}
