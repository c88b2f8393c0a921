import Foundation

/// A small MIME reader for the DSN tests, written from RFC 5322 and
/// RFC 2046 alone so that it shares no code with what it checks.
struct DSNMessageReader {
    /// One header field, unfolded (CRLF removed, the white space kept).
    struct Field: Equatable, CustomStringConvertible {
        var name: String
        var value: String
        var description: String { "\(name): \(value)" }
    }

    /// One body part.
    struct Part {
        var header: [Field]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }

        func value(_ name: String) -> String? { DSNMessageReader.value(name, in: header) }
    }

    let header: [Field]
    let boundary: String
    let parts: [Part]

    enum ReadError: Error { case noHeaderEnd, noBoundary, noClosingDelimiter }

    init(_ message: [UInt8]) throws {
        let (header, body) = try Self.split(message)
        self.header = header
        guard let contentType = Self.value("Content-Type", in: header),
            let range = contentType.range(of: #"boundary="([^"]+)""#, options: .regularExpression)
        else { throw ReadError.noBoundary }
        boundary = String(contentType[range].dropFirst("boundary=\"".count).dropLast())
        let delimiter = Array("\r\n--\(boundary)".utf8)
        var pieces = Self.split(body, at: delimiter)
        // pieces[0] is the preamble; the last piece starts with the closing "--".
        guard pieces.count >= 2, pieces[pieces.count - 1].starts(with: Array("--\r\n".utf8)) else {
            throw ReadError.noClosingDelimiter
        }
        pieces.removeFirst()
        pieces.removeLast()
        parts = try pieces.map { piece in
            // After the delimiter comes CRLF, then the part's header.
            let (partHeader, partBody) = try Self.split(Array(piece.dropFirst(2)))
            return Part(header: partHeader, body: partBody)
        }
    }

    func value(_ name: String) -> String? { Self.value(name, in: header) }

    /// The blocks of a `message/delivery-status` body: the per-message
    /// fields, then one block per recipient (RFC 3464 §2.1).
    static func statusGroups(_ body: [UInt8]) -> [[Field]] {
        var text = String(decoding: body, as: UTF8.self)
        if text.hasSuffix("\r\n") { text.removeLast() }
        return text.components(separatedBy: "\r\n\r\n").map { fields(of: $0 + "\r\n") }
    }

    /// The unfolded fields of a header section.
    static func fields(of text: String) -> [Field] {
        var fields: [Field] = []
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            if line.first == " " || line.first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += line
            } else if let colon = line.firstIndex(of: ":") {
                var value = line[line.index(after: colon)...]
                if value.first == " " { value = value.dropFirst() }
                fields.append(Field(name: String(line[..<colon]), value: String(value)))
            }
        }
        return fields
    }

    static func value(_ name: String, in fields: [Field]) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Header fields and body of an entity: split at the first empty line.
    private static func split(_ bytes: [UInt8]) throws -> ([Field], [UInt8]) {
        let end = Array("\r\n\r\n".utf8)
        guard let index = firstIndex(of: end, in: bytes) else { throw ReadError.noHeaderEnd }
        let header = String(decoding: bytes[..<(index + 2)], as: UTF8.self)
        return (fields(of: header), Array(bytes[(index + 4)...]))
    }

    /// `bytes` cut at every occurrence of `separator`, which is dropped.
    static func split(_ bytes: [UInt8], at separator: [UInt8]) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var start = 0
        while let index = firstIndex(of: separator, in: bytes, from: start) {
            pieces.append(Array(bytes[start..<index]))
            start = index + separator.count
        }
        pieces.append(Array(bytes[start...]))
        return pieces
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The message's physical lines; each must have ended in CRLF.
    static func lines(_ message: [UInt8]) -> (lines: [ArraySlice<UInt8>], allCRLF: Bool) {
        var lines: [ArraySlice<UInt8>] = []
        var allCRLF = message.last == UInt8(ascii: "\n")
        var start = 0
        for index in message.indices where message[index] == UInt8(ascii: "\n") {
            if index == 0 || message[index - 1] != UInt8(ascii: "\r") { allCRLF = false }
            lines.append(message[start..<max(start, index - 1)])
            start = index + 1
        }
        for line in lines where line.contains(UInt8(ascii: "\r")) { allCRLF = false }
        return (lines, allCRLF)
    }
}
