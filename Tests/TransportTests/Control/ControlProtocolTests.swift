import Foundation
import NIOCore
import NIOEmbedded
import Testing
import Transport

@Suite("ControlProtocol")
struct ControlProtocolTests {
    static let commands: [ControlCommand] = [
        .showQueue(QueueQuery(sender: "a@x", domain: "Example.COM", state: "held", minimumAge: 60, includeCompleted: true)),
        .showMessage(id: "0123456789abcdefghij", body: true),
        .showStats, .showStatus, .showHosts,
        .pause(.smtp), .pause(.destination("example.com")), .resume(.mda),
        .schedule(.all), .hold(.messages(["a", "b"])), .release(.all), .remove(.messages(["x"])),
        .updateTable(name: "aliases"), .log(verbose: true), .trace(subsystem: "smtp", enabled: false),
        .enqueue(Submission(sender: "", recipients: [.init(address: "bob", notify: "NEVER")], ret: "HDRS", envelopeID: "e\nid", message: Data([0, 10, 13, 255]))),
    ]

    @Test("every command survives encoding as one line", arguments: commands)
    func roundTrip(_ command: ControlCommand) throws {
        let line = try ControlProtocol.encode(ControlRequest(command))
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        let decoded = try ControlProtocol.decode(ControlRequest.self, from: line.dropLast())
        #expect(decoded == ControlRequest(command))
        #expect(decoded.version == ControlProtocol.version)
    }

    @Test("results round trip, dates included")
    func results() throws {
        let status = DaemonStatus(version: "1", hostname: "h", pid: 7, started: Date(timeIntervalSince1970: 1_700_000_000), queuePath: "q", listeners: ["l"], paused: ["mta"])
        for result: ControlResult in [.done("ok"), .failed("no"), .status(status), .hosts([DestinationReport(domain: "d", backedOffUntil: Date(timeIntervalSince1970: 1_700_000_100))]), .enqueued(id: "i")] {
            let line = try ControlProtocol.encode(ControlResponse(result))
            #expect(try ControlProtocol.decode(ControlResponse.self, from: line.dropLast()).result == result)
        }
    }

    @Test("the line decoder splits requests fed one byte at a time and refuses an overlong line")
    func lineDecoder() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(ControlLineDecoder(maxLength: 16)))
        for byte in Array("first\nsecond line\n".utf8) {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "first")
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "second line")
        #expect(throws: ControlLineDecoder.LineTooLong.self) {
            try channel.writeInbound(ByteBuffer(string: String(repeating: "x", count: 17)))
        }
    }

    @Test("a client says the daemon is not running when nothing listens")
    func notRunning() {
        do {
            _ = try ControlClient(path: "/nonexistent/tern/control.sock")
            Issue.record("connected to nothing")
        } catch {
            #expect(error.code == .notRunning)
            #expect(error.description.contains("ternd is not running"))
        }
    }
}
