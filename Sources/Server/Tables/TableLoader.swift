import Foundation

/// Reads `file:` tables into memory, so that lookups never touch the disk on
/// an event loop.
///
/// One entry per line: `key value` (a map) or `key` alone (a list), not both
/// in one file. The aliases(5) form `key: value` is the same as `key value`.
/// `#` at the start of a line or after a blank starts a comment. A line that
/// starts with a blank continues the entry above it, and so does a line
/// ending in `\` (the backslash is dropped); the pieces are joined with one
/// space, so long alias lists can be written one target per line:
///
///     # /etc/tern/aliases
///     postmaster: root
///     staff:  alice,
///             bob@example.org
enum TableLoader {
    /// The table in the file at `path`, named `table` in errors.
    static func load(path: String, table: String) throws(TableError) -> TableDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TableError(.unreadable, table: table, "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TableError(.malformed, table: table, "\(path) is not UTF-8 text")
        }
        return try parse(text, path: path, table: table)
    }

    /// The entries of a table file's text.
    static func parse(_ text: String, path: String, table: String) throws(TableError) -> TableDefinition {
        var map: [String: String] = [:]
        var list: [String] = []
        var seen: Set<String> = []
        for (line, entry) in logicalLines(text) {
            let fields = entry.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            guard var key = fields.first.map(String.init) else { continue }
            if fields.count == 2, key.count > 1, key.hasSuffix(":"), IPNetmask(key) == nil { key.removeLast() }
            guard seen.insert(key.lowercased()).inserted else {
                throw TableError(.malformed, table: table, "\(path):\(line): duplicate key '\(key)'")
            }
            if fields.count == 1 {
                list.append(key)
            } else {
                map[key] = fields[1].trimmingCharacters(in: .whitespaces)
            }
        }
        if !map.isEmpty && !list.isEmpty {
            throw TableError(.malformed, table: table, "\(path): mixes 'key value' lines with lone keys")
        }
        return map.isEmpty ? .list(list) : .map(map)
    }

    /// Entries with comments removed and continuation lines joined, each
    /// with the number of the line it starts on.
    private static func logicalLines(_ text: String) -> [(Int, String)] {
        var entries: [(Int, String)] = []
        var continuing = false
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = withoutComment(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            let startsBlank = line.first == " " || line.first == "\t"
            let endsInBackslash = line.hasSuffix("\\")
            if endsInBackslash { line.removeLast() }
            let content = line.trimmingCharacters(in: .whitespaces)
            if (continuing || startsBlank), !entries.isEmpty {
                if !content.isEmpty { entries[entries.count - 1].1 += " " + content }
            } else if !content.isEmpty {
                entries.append((index + 1, content))
            }
            continuing = endsInBackslash
        }
        return entries
    }

    /// The line up to a `#` that starts it or follows a blank.
    private static func withoutComment(_ line: Substring) -> String {
        var previous: Character = " "
        for index in line.indices {
            if line[index] == "#", previous == " " || previous == "\t" { return String(line[..<index]) }
            previous = line[index]
        }
        return String(line)
    }
}
