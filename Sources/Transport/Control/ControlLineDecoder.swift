import NIOCore

/// Splits the control socket's byte stream into lines (without the newline),
/// refusing a line longer than its limit.
public struct ControlLineDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// A line longer than ``maxLength``.
    public struct LineTooLong: Error {
        public let maxLength: Int
    }

    public let maxLength: Int

    public init(maxLength: Int = ControlProtocol.maxLineLength) {
        self.maxLength = maxLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maxLength { throw LineTooLong(maxLength: maxLength) }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        guard length <= maxLength else { throw LineTooLong(maxLength: maxLength) }
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
