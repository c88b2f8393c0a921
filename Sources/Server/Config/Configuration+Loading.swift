#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The one entry point that touches the file system.
extension Configuration {
    /// The largest configuration file accepted: 16 MiB.
    public static let maximumFileSize = 16 << 20

    /// Reads, parses and validates the configuration file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file; errors name it as given.
    ///   - hostname: the default `hostname`; the system host name when nil.
    /// - Throws: ``ConfigError`` when the file cannot be read (an
    ///   ``ConfigError/Kind/unreadableFile`` error with line 0) or is not valid.
    public static func load(path: String, hostname: String? = nil) throws(ConfigError) -> Configuration {
        let bytes = try readFile(path)
        let text = String(decoding: bytes, as: UTF8.self)
        return try parse(text: text, fileName: path, hostname: hostname ?? systemHostname())
    }

    /// The system host name (`gethostname(2)`), or `localhost` if it cannot be had.
    public static func systemHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return ConfigValue.isHostName(name) ? name : "localhost"
    }

    private static func readFile(_ path: String) throws(ConfigError) -> [UInt8] {
        let whole = ConfigLocation(file: path, line: 0, column: 0)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ConfigError(.unreadableFile, at: whole, "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConfigError(.unreadableFile, at: whole, "cannot read the file: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            guard bytes.count <= maximumFileSize else {
                throw ConfigError(.unreadableFile, at: whole, "the file is larger than \(ConfigValue.format(size: maximumFileSize)) bytes")
            }
        }
    }
}
