/// A message as a local program hands it to sendmail on standard input:
/// its header fields and body as lines, re-emitted with CRLF line endings.
///
/// Without `-i`, a line holding a single `.` ends the message (what follows
/// is ignored), as in sendmail; there is no dot-stuffing on standard input,
/// so `..` stays `..`. Lines may end in LF or CRLF.
public struct SubmittedMessage: Hashable, Sendable {
    /// Header lines without their line endings, continuation lines included.
    public private(set) var headerLines: [[UInt8]]
    /// Body lines without their line endings.
    public private(set) var bodyLines: [[UInt8]]

    /// Reads `input`. With `ignoreDots` false, a line with a single dot ends it.
    public init(input: [UInt8], ignoreDots: Bool) {
        var lines: [[UInt8]] = []
        var ended = false
        for var line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map({ Array($0) }) {
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if !ignoreDots && line == [UInt8(ascii: ".")] {
                ended = true
                break
            }
            lines.append(line)
        }
        // The split leaves an empty element after a final line ending (or for no input).
        if !ended, lines.last == [] { lines.removeLast() }
        var headerCount = 0
        while headerCount < lines.count {
            let line = lines[headerCount]
            let isContinuation = headerCount > 0 && (line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t"))
            guard isContinuation || Self.fieldName(of: line) != nil else { break }
            headerCount += 1
        }
        headerLines = Array(lines[..<headerCount])
        var rest = lines[headerCount...]
        // The empty line between header and body is implied by `bytes`.
        if rest.first == [] { rest = rest.dropFirst() }
        bodyLines = Array(rest)
    }

    /// The field name of a header line (`Subject` of `Subject: hi`), or nil
    /// when it is not a field: RFC 5322 ftext is printable ASCII but colon.
    static func fieldName(of line: [UInt8]) -> Substring? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
        guard line[..<colon].allSatisfy({ (33...126).contains($0) }) else { return nil }
        return Substring(decoding: line[..<colon], as: UTF8.self)
    }

    /// The unfolded values of every field named `name` (case-insensitive), in order.
    public func values(of name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        !values(of: name).isEmpty
    }

    /// Removes every field named `name`, with its continuation lines.
    public mutating func remove(_ name: String) {
        var kept: [[UInt8]] = []
        var dropping = false
        for line in headerLines {
            if let field = Self.fieldName(of: line), line.first != UInt8(ascii: " "), line.first != UInt8(ascii: "\t") {
                dropping = field.lowercased() == name.lowercased()
            }
            if !dropping { kept.append(line) }
        }
        headerLines = kept
    }

    /// Appends the field `name: value` at the end of the header.
    public mutating func append(_ name: String, _ value: String) {
        headerLines.append(Array("\(name): \(value)".utf8))
    }

    /// The message with CRLF line endings: header, empty line, body.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for line in headerLines {
            out += line
            out += [13, 10]
        }
        out += [13, 10]
        for line in bodyLines {
            out += line
            out += [13, 10]
        }
        return out
    }

    /// Header fields with continuation lines unfolded.
    private var fields: [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for line in headerLines {
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                guard !result.isEmpty else { continue }
                result[result.count - 1].value += String(decoding: line, as: UTF8.self)
            } else if let name = Self.fieldName(of: line) {
                let value = line.dropFirst(name.utf8.count + 1)
                result.append((String(name), String(decoding: value, as: UTF8.self)))
            }
        }
        return result
    }
}
