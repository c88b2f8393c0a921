import Envelope
import FuzzSupport

/// Fuzzes `SMTPReplyParser` with what a remote server might send: the input
/// is split into lines at LF (each keeping its LF) and fed one at a time,
/// with and without enhanced status codes. A parsed reply must have a
/// three-digit code.
func fuzzReply(_ bytes: [UInt8]) {
    guard let selector = bytes.first else { return }
    var parser = SMTPReplyParser(enhancedStatusCodes: selector & 1 != 0)
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    var start = text.startIndex
    while start < text.endIndex {
        let end = text[start...].firstIndex(of: "\n").map { text.index(after: $0) } ?? text.endIndex
        if let reply = try? parser.feed(line: text[start..<end]) {
            precondition((200...559).contains(reply.code), "reply code \(reply.code)")
        }
        start = end
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReplyInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzReply(Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)))
    return 0
}

@main
enum Main {
    static func main() {
        FuzzMain.run(fuzzReplyInput, replay: fuzzReply)
    }
}
