import Foundation
import Testing
import TestSupport

/// Where the built executables live: next to the test bundle.
enum BuiltProducts {
    static let directory: URL = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent()
    }()

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}

/// A fresh directory for one test, removed when the test ends.
final class Workspace: @unchecked Sendable {
    // @unchecked: only `path`, immutable.
    let path: String

    init() {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("tern-e2e-XXXXXX").path
        var bytes = Array(template.utf8CString)
        path = bytes.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        _ = FileManager.default.createFile(atPath: file(name), contents: Data(text.utf8))
        return file(name)
    }
}

/// A free TCP port on 127.0.0.1, found by binding port 0.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            _ = bind(fd, $0, length)
            _ = getsockname(fd, $0, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The outcome of a finished command.
struct CommandResult {
    var status: Int32
    var outputData: Data
    var error: String
    var output: String { String(decoding: outputData, as: UTF8.self) }
}

/// Runs a command to completion within `timeout` seconds (then kills it).
@discardableResult
func runCommand(_ executable: String, _ arguments: [String], input: Data? = nil, timeout: Double = 60) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let stdout = Pipe()
    let stderr = Pipe()
    let stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    let outputReader = PipeReader(stdout.fileHandleForReading)
    let errorReader = PipeReader(stderr.fileHandleForReading)
    // Set before run(): a handler set after a quick exit may never be called.
    let finished = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in finished.signal() }
    try process.run()
    if let input { stdin.fileHandleForWriting.write(input) }
    try? stdin.fileHandleForWriting.close()
    if finished.wait(timeout: .now() + timeout) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        Issue.record("\(executable) \(arguments.joined(separator: " ")) timed out after \(timeout)s")
    }
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, outputData: outputReader.wait(), error: String(decoding: errorReader.wait(), as: UTF8.self))
}

/// A peer program that must be installed (CI installs them with tools/test).
func requireTool(_ path: String) throws -> String {
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw HarnessError("\(path) is missing: run tools/test, which installs the test peers")
    }
    return path
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
