import Foundation
import Logging
import Synchronization
import Testing
@testable import Server

@Suite("LogLineHandler")
struct LogLineHandlerTests {
    /// Collects what a `StreamLogHandler` writes.
    final class CapturedStream: TextOutputStream, Sendable {
        private let text = Mutex("")
        var captured: String { text.withLock { $0 } }
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    /// Logs through a `LogLineHandler` into a pipe and returns what came out.
    private func lineHandlerOutput(_ body: (inout Logger) -> Void) throws -> String {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        var logger = Logger(label: "tern.test") { LogLineHandler(label: $0, fileDescriptor: ends[1]) }
        logger.logLevel = .trace
        body(&logger)
        close(ends[1])
        let output = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true).readDataToEndOfFile()
        return String(decoding: output, as: UTF8.self)
    }

    private func streamHandlerOutput(_ body: (inout Logger) -> Void) -> String {
        let stream = CapturedStream()
        var logger = Logger(label: "tern.test") { StreamLogHandler(label: $0, stream: stream, metadataProvider: nil) }
        logger.logLevel = .trace
        body(&logger)
        return stream.captured
    }

    /// Each line without its leading time stamp.
    private func withoutTimestamps(_ text: String) -> [Substring] {
        text.split(separator: "\n").map { $0.drop { $0 != " " } }
    }

    @Test("lines match StreamLogHandler's after the time stamp: plain, handler and explicit metadata, errors")
    func sameFormatAsStreamLogHandler() throws {
        let events: (inout Logger) -> Void = { logger in
            logger.info("id=0001 from=<a@example.org> size=12")
            logger.notice("journal map grown", metadata: ["to": "2048", "from": "1024"])
            logger[metadataKey: "session"] = "7"
            logger.debug("handler metadata only")
            logger.warning("both", metadata: ["attempt": "2"])
            logger.error("failed", error: Failure())
        }
        let ours = try lineHandlerOutput(events)
        let theirs = streamHandlerOutput(events)
        #expect(withoutTimestamps(ours) == withoutTimestamps(theirs))
        #expect(withoutTimestamps(ours).count == 5)
        #expect(ours.contains(" notice tern.test: from=1024 to=2048 [ServerTests] journal map grown\n"))
        #expect(ours.contains("error.message=disk on fire"))
    }

    @Test("every line starts with the local time to the second and its UTC offset")
    func timestamps() throws {
        let output = try lineHandlerOutput { logger in
            logger.info("one")
            logger.info("two")
        }
        let pattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} info tern\.test: \[ServerTests\] (one|two)$/
        let lines = output.split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines {
            #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
        }
    }
}
