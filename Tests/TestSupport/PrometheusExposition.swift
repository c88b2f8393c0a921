/// A parsed Prometheus text exposition (format 0.0.4): every sample by
/// metric name and labels, and the `# TYPE` of each family. Strict enough
/// for tests: a line it cannot read is an error.
public struct PrometheusExposition: Sendable {
    /// One sample line: `name{label="value",...} number`.
    public struct Sample: Hashable, Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// A line the parser could not read.
    public struct ParseError: Error, CustomStringConvertible {
        public let line: String
        public var description: String { "cannot parse exposition line: \(line)" }
    }

    public private(set) var samples: [Sample] = []
    /// `# TYPE name kind` declarations.
    public private(set) var types: [String: String] = [:]

    /// Parses `text`.
    public init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw ParseError(line: String(line)) }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            samples.append(try Self.sample(String(line)))
        }
    }

    /// The value of the sample `name` whose labels include `labels`; nil when absent.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    private static func sample(_ line: String) throws -> Sample {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            throw ParseError(line: line)
        }
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else {
            return Sample(name: String(series), labels: [:], value: value)
        }
        guard series.hasSuffix("}") else { throw ParseError(line: line) }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: brace)..<series.index(before: series.endIndex)]
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)...].hasPrefix("\"") else {
                throw ParseError(line: line)
            }
            let key = String(rest[..<equals])
            var index = rest.index(equals, offsetBy: 2)
            var text = ""
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                    text.append(rest[index] == "n" ? "\n" : rest[index])
                } else {
                    text.append(rest[index])
                }
                index = rest.index(after: index)
            }
            guard index < rest.endIndex else { throw ParseError(line: line) }
            labels[key] = text
            rest = rest[rest.index(after: index)...]
            if rest.hasPrefix(",") { rest = rest.dropFirst() }
        }
        return Sample(name: String(series[..<brace]), labels: labels, value: value)
    }
}
