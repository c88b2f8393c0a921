import NIOCore
import Testing
@testable import Transport

@Suite("SMTPFrameDecoder")
struct SMTPFrameDecoderTests {
    /// Feeds `input` in pieces of `step` bytes and collects the decoded message and defects.
    static func decodeData(_ input: String, step: Int, policy: BareLineEndingPolicy = .reject, lineLimit: Int = 1000) -> (body: String, defects: DataDefects?, rest: String) {
        var decoder = SMTPFrameDecoder(textLineLimit: lineLimit, bareLineEndings: policy)
        decoder.expectData()
        var buffer = ByteBuffer()
        var body = ""
        var defects: DataDefects?
        let bytes = Array(input.utf8)
        var offset = 0
        outer: while true {
            while let frame = decoder.next(from: &buffer) {
                switch frame {
                case .data(let data): body += String(buffer: data)
                case .dataEnd(let found):
                    defects = found
                    break outer
                default: Issue.record("unexpected frame \(frame)")
                }
            }
            guard offset < bytes.count else { break }
            let end = min(bytes.count, offset + step)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
        }
        buffer.writeBytes(bytes[offset...])
        return (body, defects, String(buffer: buffer))
    }

    struct DataCase: Sendable, CustomTestStringConvertible {
        let input: String
        let body: String
        let defects: DataDefects?
        let rest: String
        var testDescription: String { input.debugDescription }
    }

    static let dataCases: [DataCase] = [
        .init(input: "Subject: x\r\n\r\nhello\r\n.\r\n", body: "Subject: x\r\n\r\nhello\r\n", defects: [], rest: ""),
        .init(input: ".\r\n", body: "", defects: [], rest: ""),
        .init(input: "..leading dot\r\n.\r\nQUIT\r\n", body: ".leading dot\r\n", defects: [], rest: "QUIT\r\n"),
        .init(input: "a\r\n..\r\n...x\r\n.\r\n", body: "a\r\n.\r\n..x\r\n", defects: [], rest: ""),
        // SMTP smuggling: none of these end the data.
        .init(input: "a\n.\nMAIL FROM:<x>\r\n.\r\n", body: "a\n\nMAIL FROM:<x>\r\n", defects: [.bareLF], rest: ""),
        .init(input: "a\r\n.\nb\r\n.\r\n", body: "a\r\n\nb\r\n", defects: [.bareLF], rest: ""),
        .init(input: "a\r.\rb\r\n.\r\n", body: "a\r\rb\r\n", defects: [.bareCR], rest: ""),
        .init(input: "a\n.\r\nb\r\n.\r\n", body: "a\n\r\nb\r\n", defects: [.bareLF], rest: ""),
        .init(input: "a\r\n.\rX\r\n.\r\n", body: "a\r\n\rX\r\n", defects: [.bareCR], rest: ""),
        .init(input: "no end\r\n", body: "no end\r\n", defects: nil, rest: ""),
        .init(input: "x\u{0}y\r\n.\r\n", body: "x\u{0}y\r\n", defects: [], rest: ""),
    ]

    @Test("DATA decodes the same whatever the packet boundaries", arguments: dataCases, [1, 2, 3, 7, 1000])
    func data(fixture: DataCase, step: Int) {
        let result = Self.decodeData(fixture.input, step: step)
        #expect(result.body == fixture.body)
        #expect(result.defects == fixture.defects)
        #expect(result.rest == fixture.rest)
    }

    @Test("normalizing turns bare CR and LF into CRLF", arguments: [1, 5, 1000])
    func normalize(step: Int) {
        let result = Self.decodeData("a\nb\rc\r\n.\r\n", step: step, policy: .normalize)
        #expect(result.body == "a\r\nb\r\nc\r\n")
        #expect(result.defects == [.bareLF, .bareCR])
    }

    @Test("long text lines are reported")
    func longLines() {
        let line = String(repeating: "x", count: 999)
        #expect(Self.decodeData(String(repeating: "x", count: 998) + "\r\n.\r\n", step: 100).defects == [])
        #expect(Self.decodeData(line + "\r\n.\r\n", step: 100).defects == [.longLine])
    }

    @Test("command lines split on LF and lose their CRLF")
    func commands() {
        var decoder = SMTPFrameDecoder()
        var buffer = ByteBuffer(string: "EHLO a\r\nNOOP\nRSET\r\nQUI")
        var lines: [String] = []
        while case .command(let line)? = decoder.next(from: &buffer) { lines.append(String(buffer: line)) }
        #expect(lines == ["EHLO a", "NOOP", "RSET"])
        #expect(String(buffer: buffer) == "QUI")
    }

    @Test("an over-long command is refused once and skipped to its end")
    func longCommand() {
        var decoder = SMTPFrameDecoder(commandLengthLimit: 16)
        var buffer = ByteBuffer(string: String(repeating: "A", count: 40))
        #expect(decoder.next(from: &buffer) == .commandTooLong)
        #expect(decoder.next(from: &buffer) == nil)
        buffer.writeString("AAAA\r\nNOOP\r\n")
        #expect(decoder.next(from: &buffer) == .command(ByteBuffer(string: "NOOP")))
        var whole = ByteBuffer(string: String(repeating: "B", count: 20) + "\r\nNOOP\r\n")
        #expect(decoder.next(from: &whole) == .commandTooLong)
        #expect(decoder.next(from: &whole) == .command(ByteBuffer(string: "NOOP")))
    }

    @Test("BDAT chunks are read exactly, then commands resume")
    func chunks() {
        var decoder = SMTPFrameDecoder()
        decoder.expectChunk(size: 5)
        var buffer = ByteBuffer(string: "ab")
        #expect(decoder.next(from: &buffer) == .chunk(ByteBuffer(string: "ab")))
        #expect(decoder.next(from: &buffer) == nil)
        buffer.writeString("c\r\nNOOP\r\n")
        #expect(decoder.next(from: &buffer) == .chunk(ByteBuffer(string: "c\r\n")))
        #expect(decoder.next(from: &buffer) == .chunkEnd)
        #expect(decoder.next(from: &buffer) == .command(ByteBuffer(string: "NOOP")))
        decoder.expectChunk(size: 0)
        #expect(decoder.next(from: &buffer) == .chunkEnd)
    }

    @Test("random input never traps and always makes progress")
    func randomInput() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("\r\n.ab ".utf8) + [0, 255]
        for _ in 0..<2_000 {
            var decoder = SMTPFrameDecoder(commandLengthLimit: 32, textLineLimit: 16, bareLineEndings: Bool.random(using: &generator) ? .reject : .normalize)
            var buffer = ByteBuffer(bytes: (0..<Int.random(in: 0...200, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            if Bool.random(using: &generator) { decoder.expectData() }
            var steps = 0
            while decoder.next(from: &buffer) != nil {
                steps += 1
                if Bool.random(using: &generator) && !decoder.isReadingMessage { decoder.expectData() }
                #expect(steps < 1_000)
                if steps >= 1_000 { break }
            }
        }
    }
}
