import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// What is wrong with a message's bytes, found while reading DATA.
public struct DataDefects: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A LF not preceded by CR (RFC 5321 §2.3.8).
    public static let bareLF = DataDefects(rawValue: 1 << 0)
    /// A CR not followed by LF.
    public static let bareCR = DataDefects(rawValue: 1 << 1)
    /// A line longer than the text line limit (RFC 5321 §4.5.3.1.6).
    public static let longLine = DataDefects(rawValue: 1 << 2)
}

/// What to do with bare CR or LF inside DATA. Either way, they never end the
/// data: only `CRLF.CRLF` does (this is what defeats SMTP smuggling).
public enum BareLineEndingPolicy: String, Hashable, Sendable {
    /// Reject the message after its end with `550 5.6.0`.
    case reject
    /// Store the message with every bare CR or LF turned into CRLF.
    case normalize
}

/// One unit of client input.
public enum SMTPInboundFrame: Equatable {
    /// A command line without its line ending.
    case command(ByteBuffer)
    /// A command line longer than the limit; its bytes were discarded up to its end.
    case commandTooLong
    /// Message bytes from DATA, dot-unstuffed, with CRLF line endings.
    case data(ByteBuffer)
    /// The `CRLF.CRLF` that ends DATA; `defects` says what was wrong in between.
    case dataEnd(DataDefects)
    /// Raw bytes of a BDAT chunk (RFC 3030), as sent.
    case chunk(ByteBuffer)
    /// The current BDAT chunk is complete.
    case chunkEnd
}

/// Splits client input into command lines, DATA contents and BDAT chunks.
///
/// A pure, single-step decoder: `next(from:)` takes bytes off the front of
/// the buffer and returns one frame, or nil when it needs more input. The
/// session switches it to DATA or BDAT mode with `expectData()` and
/// `expectChunk(size:)`; it returns to command mode by itself at the end.
public struct SMTPFrameDecoder: Sendable {
    private enum Mode {
        case command
        case data(DataScanner)
        case chunk(remaining: Int)
    }

    private var mode = Mode.command
    private var discardingLongCommand = false
    /// Command lines longer than this many octets, including CRLF, are refused (RFC 5321 §4.5.3.1.4: 512).
    public let commandLengthLimit: Int
    /// Text lines longer than this many octets, including CRLF, are a defect (RFC 5321 §4.5.3.1.6: 1000).
    public let textLineLimit: Int
    public let bareLineEndings: BareLineEndingPolicy

    public init(commandLengthLimit: Int = 512, textLineLimit: Int = 1000, bareLineEndings: BareLineEndingPolicy = .reject) {
        self.commandLengthLimit = commandLengthLimit
        self.textLineLimit = textLineLimit
        self.bareLineEndings = bareLineEndings
    }

    /// Whether the decoder is reading a message or chunk rather than commands.
    public var isReadingMessage: Bool {
        if case .command = mode { return false }
        return true
    }

    /// Reads the following bytes as DATA contents, up to `CRLF.CRLF`.
    public mutating func expectData() {
        mode = .data(DataScanner(textLineLimit: textLineLimit, policy: bareLineEndings))
    }

    /// Reads the following `size` bytes as a BDAT chunk.
    public mutating func expectChunk(size: Int) {
        mode = .chunk(remaining: size)
    }

    /// The next frame from the front of `buffer`, or nil if more bytes are needed.
    public mutating func next(from buffer: inout ByteBuffer) -> SMTPInboundFrame? {
        switch mode {
        case .command:
            return nextCommand(from: &buffer)
        case .chunk(let remaining):
            if remaining == 0 {
                mode = .command
                return .chunkEnd
            }
            guard buffer.readableBytes > 0 else { return nil }
            let count = min(remaining, buffer.readableBytes)
            mode = .chunk(remaining: remaining - count)
            return .chunk(buffer.readSlice(length: count)!)
        case .data(var scanner):
            mode = .command  // so that the scanner is not copied on write while it runs
            let frame = scanner.scan(&buffer)
            if case .dataEnd = frame { return frame }
            mode = .data(scanner)
            return frame
        }
    }

    private mutating func nextCommand(from buffer: inout ByteBuffer) -> SMTPInboundFrame? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes >= commandLengthLimit {
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                if !discardingLongCommand {
                    discardingLongCommand = true
                    return .commandTooLong
                }
            }
            return nil
        }
        let lineLength = newline - view.startIndex + 1
        var line = buffer.readSlice(length: lineLength)!
        if discardingLongCommand {
            discardingLongCommand = false
            return next(from: &buffer)
        }
        if lineLength > commandLengthLimit { return .commandTooLong }
        line.moveWriterIndex(to: line.writerIndex - 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        return .command(line)
    }
}

/// The DATA state machine: dot-unstuffing, the end marker, bare CR/LF and long lines.
private struct DataScanner: Sendable {
    private enum State {
        /// At the start of a line that followed a real CRLF (or the start of data).
        case lineStart
        /// At the start of a line that followed a bare CR or LF: no end marker here.
        case softLineStart
        /// Saw "." at a real line start.
        case dot
        /// Saw ".\r" at a real line start.
        case dotCR
        case inLine
        /// Saw CR inside a line.
        case cr
    }

    private var state = State.lineStart
    private var lineLength = 0
    private var defects: DataDefects = []
    /// The end marker was read but the bytes before it are returned first.
    private var endPending = false
    private let textLineLimit: Int
    private let policy: BareLineEndingPolicy

    init(textLineLimit: Int, policy: BareLineEndingPolicy) {
        self.textLineLimit = textLineLimit
        self.policy = policy
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let dot = UInt8(ascii: ".")

    /// The index of the first CR or LF in `bytes` at or after `start`, or
    /// `bytes.count`: two memchr scans instead of a loop over every byte.
    private static func firstLineBreak(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard start < bytes.count, let base = bytes.baseAddress else { return bytes.count }
        let lineFeed = memchr(base + start, Int32(lf), bytes.count - start).map { UnsafeRawPointer($0) - base } ?? bytes.count
        return memchr(base + start, Int32(cr), lineFeed - start).map { UnsafeRawPointer($0) - base } ?? lineFeed
    }

    /// Consumes bytes from `input`; returns `.data` with what they decode to,
    /// `.dataEnd` at the end marker, or nil when `input` held nothing usable.
    ///
    /// Bytes are copied in runs: a run is cut only where the output differs
    /// from the input (a stuffed dot, the end marker, a normalized line
    /// ending), and ordinary text is skipped over in a tight loop.
    mutating func scan(_ input: inout ByteBuffer) -> SMTPInboundFrame? {
        if endPending { return .dataEnd(defects) }
        guard input.readableBytes > 0 else { return nil }
        var output = ByteBufferAllocator().buffer(capacity: input.readableBytes + 16)
        // Work on locals: no exclusivity checks on `self` in the loop.
        var state = self.state
        var lineLength = self.lineLength
        var defects = self.defects
        let normalize = policy == .normalize
        let longLine = textLineLimit - 2
        var consumed = 0
        var ended = false
        input.withUnsafeReadableBytes { bytes in
            let count = bytes.count
            var runStart = 0
            var index = 0
            func flushRun(upTo end: Int) {
                if end > runStart { output.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<end])) }
            }
            while index < count {
                let byte = bytes[index]
                switch state {
                case .inLine, .softLineStart:
                    if byte == Self.cr {
                        state = .cr
                    } else if byte == Self.lf {
                        defects.insert(.bareLF)
                        if normalize {
                            flushRun(upTo: index)
                            output.writeInteger(Self.cr)
                            output.writeInteger(Self.lf)
                            runStart = index + 1
                        }
                        lineLength = 0
                        state = .softLineStart
                    } else {
                        if state == .softLineStart && byte == Self.dot {
                            flushRun(upTo: index)
                            runStart = index + 1
                        }
                        state = .inLine
                        let end = Self.firstLineBreak(in: bytes, from: index + 1)
                        lineLength += end - index
                        if lineLength > longLine { defects.insert(.longLine) }
                        index = end
                        continue
                    }
                case .lineStart:
                    if byte == Self.dot {
                        flushRun(upTo: index)
                        runStart = index + 1
                        state = .dot
                    } else {
                        state = .inLine
                        continue
                    }
                case .dot:
                    if byte == Self.cr {
                        state = .dotCR
                        runStart = index + 1
                    } else {
                        state = .inLine
                        continue
                    }
                case .dotCR:
                    if byte == Self.lf {
                        consumed = index + 1
                        ended = true
                        return
                    }
                    // ".\r" then something else: the held-back CR was bare.
                    defects.insert(.bareCR)
                    output.writeInteger(Self.cr)
                    if normalize { output.writeInteger(Self.lf) }
                    runStart = index
                    lineLength = 0
                    state = .softLineStart
                    continue
                case .cr:
                    if byte == Self.lf {
                        lineLength = 0
                        state = .lineStart
                    } else {
                        // The CR before this byte was bare; it is already in the run.
                        defects.insert(.bareCR)
                        if normalize {
                            flushRun(upTo: index)
                            output.writeInteger(Self.lf)
                            runStart = index
                        }
                        lineLength = 0
                        state = .softLineStart
                        continue
                    }
                }
                index += 1
            }
            flushRun(upTo: index)
            consumed = count
        }
        self.state = state
        self.lineLength = lineLength
        self.defects = defects
        input.moveReaderIndex(forwardBy: consumed)
        if ended {
            guard output.readableBytes > 0 else { return .dataEnd(defects) }
            endPending = true
        }
        return .data(output)
    }
}
