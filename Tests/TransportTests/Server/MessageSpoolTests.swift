import Foundation
import NIOCore
import Testing
@testable import Transport

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-spool-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    /// The names of the files in the directory.
    func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

@Suite("MessageSpool")
struct MessageSpoolTests {
    private func write(_ text: String, to spool: inout MessageSpool, maxSize: Int = .max) {
        spool.write(ByteBuffer(string: text), maxSize: maxSize)
    }

    @Test("bodies up to memoryLimit stay in memory", arguments: [0, 1, 15, 16])
    func memory(length: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var spool = MessageSpool(directory: directory.path, memoryLimit: 16)
        let text = String(repeating: "m", count: length)
        write(String(text.prefix(length / 2)), to: &spool)
        write(String(text.dropFirst(length / 2)), to: &spool)
        #expect(spool.size == length)
        #expect(try directory.files().isEmpty)
        guard case .memory(let bytes) = spool.finish() else {
            Issue.record("not in memory")
            return
        }
        #expect(bytes == Array(text.utf8))
        #expect(spool.size == 0)
    }

    @Test("bodies past memoryLimit spill to a file under the directory with exactly the right bytes", arguments: [1, 7, 16, 1000])
    func spill(pieceLength: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var spool = MessageSpool(directory: directory.path, memoryLimit: 16)
        spool.write(bytes: Array("Received: x\r\n".utf8))
        let bytes = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for start in stride(from: 0, to: bytes.count, by: pieceLength) {
            spool.write(ByteBuffer(bytes: bytes[start..<min(bytes.count, start + pieceLength)]), maxSize: .max)
        }
        #expect(spool.failure == nil)
        #expect(try directory.files().count == 1)
        guard case .file(let path, let size) = spool.finish() else {
            Issue.record("not spilled")
            return
        }
        #expect(path.hasPrefix(directory.path + "/"))
        #expect(size == 13 + bytes.count)
        #expect(FileManager.default.contents(atPath: path).map(Array.init) == Array("Received: x\r\n".utf8) + bytes)
        #expect(spool.size == 0)
        // The spool forgot the file: the receiver of the body removes it.
        #expect(try directory.files().count == 1)
        guard case .memory(let empty) = spool.finish() else {
            Issue.record("a finished spool still holds a file")
            return
        }
        #expect(empty.isEmpty)
    }

    @Test("bytes past maxSize are counted but dropped")
    func maxSize() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var spool = MessageSpool(directory: directory.path, memoryLimit: 4)
        spool.write(bytes: Array("H: 1\r\n".utf8))
        write("abc", to: &spool, maxSize: 12)
        write("def", to: &spool, maxSize: 12)
        write("ghi", to: &spool, maxSize: 12)
        write("j", to: &spool, maxSize: 12)
        #expect(spool.size == 16)
        #expect(spool.failure == nil)
        guard case .file(let path, let size) = spool.finish() else {
            Issue.record("not spilled")
            return
        }
        #expect(size == 16)
        #expect(FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } == "H: 1\r\nabcdef")
        unlink(path)
    }

    @Test("our own bytes are written whatever the limit")
    func ownBytes() {
        var spool = MessageSpool(directory: "/nonexistent", memoryLimit: 64)
        write("abcd", to: &spool, maxSize: 2)
        spool.write(bytes: Array("xy".utf8))
        #expect(spool.size == 6)
        guard case .memory(let bytes) = spool.finish() else {
            Issue.record("not in memory")
            return
        }
        #expect(bytes == Array("xy".utf8))
    }

    @Test("discard() removes the spill file and empties the spool")
    func discard() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var spool = MessageSpool(directory: directory.path, memoryLimit: 2)
        write("spilled", to: &spool)
        #expect(try directory.files().count == 1)
        spool.discard()
        #expect(try directory.files().isEmpty)
        #expect(spool.size == 0)
        write("ok", to: &spool)
        guard case .memory(let bytes) = spool.finish() else {
            Issue.record("not in memory")
            return
        }
        #expect(bytes == Array("ok".utf8))
    }

    @Test("a spill file that cannot be created fails the spool, which then hands over nothing")
    func spillFailure() {
        var spool = MessageSpool(directory: "/nonexistent/tern-spool", memoryLimit: 2)
        write("ab", to: &spool)
        #expect(spool.failure == nil)
        write("cd", to: &spool)
        #expect(spool.failure?.hasPrefix("cannot create a spill file in /nonexistent/tern-spool") == true)
        write("ef", to: &spool)
        #expect(spool.size == 6)
        #expect(spool.finish() == nil)
        #expect(spool.failure == nil)
        #expect(spool.size == 0)
    }

    @Test("a spooled body knows its size")
    func bodySize() {
        #expect(SpooledBody.memory([1, 2, 3]).size == 3)
        #expect(SpooledBody.file(path: "/x", size: 42).size == 42)
    }
}
