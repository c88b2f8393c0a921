import Glibc
import Logging
import Synchronization

/// Writes each log event as one line to standard error (or another file
/// descriptor), in swift-log's `StreamLogHandler` format:
///
///     2026-12-05T23:57:57+0000 info tern.smtp: [Server] id=… from=<a@example.org> …
///
/// ternd logs a line per accepted message and per delivered recipient, so
/// the line is cheap: the local-time stamp is formatted once per second and
/// shared by every thread, and the line goes out in one `write(2)`, whole.
public struct LogLineHandler: LogHandler {
    private let label: String
    private let fileDescriptor: Int32
    public var logLevel: Logger.Level = .trace
    public var metadata = Logger.Metadata()

    public init(label: String, fileDescriptor: Int32 = STDERR_FILENO) {
        self.label = label
        self.fileDescriptor = fileDescriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { _, explicit in explicit } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = LogTimestamp.now()
        line += " \(event.level) \(label):"
        if let pretty = Self.prettify(merged) { line += " \(pretty)" }
        line += " [\(event.source)] \(event.message)\n"
        line.withUTF8 { _ = DescriptorWrite.all(UnsafeRawBufferPointer($0), to: fileDescriptor) }
    }

    private static func prettify(_ metadata: Logger.Metadata) -> String? {
        guard !metadata.isEmpty else { return nil }
        return metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}

/// The local time as `2026-12-05T23:57:57+0000`, formatted once per second.
enum LogTimestamp {
    private static let cache = Mutex<(second: time_t, text: String)>((-1, ""))

    static func now() -> String {
        let second = time(nil)
        if let cached = cache.withLock({ $0.second == second ? $0.text : nil }) { return cached }
        var clock = second
        var parts = tm()
        var buffer = [UInt8](repeating: 0, count: 64)
        guard localtime_r(&clock, &parts) != nil else { return "<unknown>" }
        let length = buffer.withUnsafeMutableBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { strftime($0.baseAddress, $0.count, "%Y-%m-%dT%H:%M:%S%z", &parts) }
        }
        guard length > 0 else { return "<unknown>" }
        let text = String(decoding: buffer[..<length], as: UTF8.self)
        cache.withLock { $0 = (second, text) }
        return text
    }
}
