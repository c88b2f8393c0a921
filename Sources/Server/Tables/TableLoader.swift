import Foundation

/// Reads the tables that live in files into memory, so that lookups never
/// touch the disk on an event loop. `file:` tables hold one entry per line:
/// `key value` (a map) or `key` alone (a list); `#` starts a comment.
enum TableLoader {
    /// Why a table file could not be read, naming the file and line.
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The configured tables with every `file:` table replaced by its contents.
    static func resolve(_ tables: [String: TableDefinition]) throws -> [String: TableDefinition] {
        var resolved = tables
        for (name, definition) in tables {
            switch definition {
            case .file(let path):
                resolved[name] = try load(path: path, table: name)
            case .sqlite(let path):
                throw LoadError(description: "table \(name): sqlite tables are not supported yet (\(path))")
            case .list, .map:
                continue
            }
        }
        return resolved
    }

    static func load(path: String, table: String) throws -> TableDefinition {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw LoadError(description: "table \(table): cannot read \(path)")
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws -> TableDefinition {
        var map: [String: String] = [:]
        var list: [String] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let key = fields.first else { continue }
            if fields.count == 1 {
                list.append(String(key))
            } else {
                let value = line[line.index(after: line.range(of: key)!.upperBound)...].trimmingCharacters(in: .whitespacesAndNewlines)
                guard map[String(key)] == nil else {
                    throw LoadError(description: "\(path):\(number + 1): duplicate key '\(key)'")
                }
                map[String(key)] = value
            }
        }
        if !map.isEmpty && !list.isEmpty {
            throw LoadError(description: "\(path): mixes 'key value' lines with lone keys")
        }
        return map.isEmpty ? .list(list) : .map(map)
    }
}
