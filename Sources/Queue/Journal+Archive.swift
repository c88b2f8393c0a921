import Envelope
import Foundation

extension Journal {
    /// Writes the selected messages as one archive stream through `write`,
    /// bodies streamed chunk by chunk. Messages that cannot be read whole are
    /// left out and reported; completed messages are included. Each message
    /// is read in one snapshot, so exporting beside a running daemon is safe.
    public func export(_ selection: JournalSelection, to write: (UnsafeRawBufferPointer) throws -> Void) throws -> ExportReport {
        var report = ExportReport()
        try QueueArchive.header().withUnsafeBytes(write)
        for id in try exportCandidates(selection) {
            switch try exportMessage(id, selection, to: write) {
            case .written: report.exported.append(id)
            case .failed(let reason): report.failed.append((id, reason))
            case .notSelected: continue
            }
        }
        try QueueArchive.trailer(messageCount: report.exported.count).withUnsafeBytes(write)
        return report
    }

    /// Writes each selected message as its own archive, `<id>.tern` in
    /// `directory` (created if needed), each file synced, then renamed into place.
    public func export(_ selection: JournalSelection, toDirectory directory: String) throws -> ExportReport {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var report = ExportReport()
        for id in try exportCandidates(selection) {
            let final = "\(directory)/\(id).\(QueueArchive.fileExtension)"
            let temporary = final + ".tmp"
            let file = try ArchiveFile(creating: temporary)
            do {
                try QueueArchive.header().withUnsafeBytes(file.write)
                let outcome = try exportMessage(id, selection, to: file.write)
                guard case .written = outcome else {
                    file.close()
                    unlink(temporary)
                    if case .failed(let reason) = outcome { report.failed.append((id, reason)) }
                    continue
                }
                try QueueArchive.trailer(messageCount: 1).withUnsafeBytes(file.write)
                try file.sync()
                file.close()
                guard rename(temporary, final) == 0 else { throw ArchiveFile.error("rename \(temporary)") }
            } catch {
                file.close()
                unlink(temporary)
                throw error
            }
            report.exported.append(id)
        }
        return report
    }

    private func exportCandidates(_ selection: JournalSelection) throws -> [MessageID] {
        selection.ids.isEmpty ? try messageIDs() : selection.ids.sorted()
    }

    private enum ExportOutcome {
        case written
        case notSelected
        case failed(String)
    }

    /// Writes message `id` when it is selected and whole (records that decode,
    /// every body chunk, the envelope's size), all from one snapshot; nothing
    /// is written for a message left out.
    private func exportMessage(_ id: MessageID, _ selection: JournalSelection, to write: (UnsafeRawBufferPointer) throws -> Void) throws -> ExportOutcome {
        try store.environment.read { txn in
            let message: QueuedMessage
            let chunks: UInt32
            do {
                guard let record = try store.loadMessageRecord(id, in: txn) else { return .notSelected }
                message = QueuedMessage(envelope: record.envelope, recipients: try recipients(of: id, in: txn), completed: record.completed)
                chunks = record.bodyChunkCount
            } catch let error as JournalError where error.code == .corruptRecord {
                return .failed(error.detail)
            }
            guard selection.matches(message) else { return .notSelected }
            var size = 0
            for chunk in 0..<chunks {
                guard let count = try txn.withValue(store.bodies, JournalKey.bodyChunk(id, chunk), { $0?.count }) else {
                    return .failed("body chunk \(chunk) missing")
                }
                size += count
            }
            guard size == message.envelope.size else {
                return .failed("the stored body has \(size) bytes, the envelope says \(message.envelope.size)")
            }
            try QueueArchive.messageHeader(ArchivedMessage(message)).withUnsafeBytes(write)
            for chunk in 0..<chunks {
                try txn.withValue(store.bodies, JournalKey.bodyChunk(id, chunk)) { bytes in
                    if let bytes { try write(bytes) }
                }
            }
            try QueueArchive.messageTrailer.withUnsafeBytes(write)
            return .written
        }
    }

    /// Stores an archived message with its id, through the same durable
    /// commit as ingress. Recipients still to be delivered are due at `now`
    /// (held ones stay held, waiting at the expiry); final ones keep their
    /// state. An id already present is left alone, so importing an archive
    /// twice, or on two hosts in turn, duplicates nothing.
    public func importMessage(_ archived: ArchivedMessage, body: MessageBody, now: Date = Date()) async throws -> ImportOutcome {
        let message = try archived.queuedMessage()
        let id = message.envelope.id
        if try self.message(id) != nil || quarantinedMessage(id) != nil { return .alreadyPresent }
        let recipients = message.recipients.map { recipient in
            var recipient = recipient
            switch recipient.state {
            case .scheduled: recipient.nextAttempt = now
            case .held: recipient.nextAttempt = message.envelope.expiry
            case .delivered, .failed: break
            }
            return recipient
        }
        do {
            try await commit([.restore(RestoredMessage(envelope: message.envelope, recipients: recipients, body: body, completed: message.completed))])
        } catch let error as JournalError where error.code == .invalidChange {
            // Stored meanwhile by a concurrent import of the same archive.
            if try self.message(id) != nil { return .alreadyPresent }
            throw error
        }
        return .imported
    }

    /// Imports every message of an archive file, or of every `*.tern` file
    /// in a directory; see `importMessage`.
    public func importArchive(at path: String, now: Date = Date()) async throws -> ImportReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw QueueArchiveError(.io, "\(path) does not exist")
        }
        var report = ImportReport()
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { $0.hasSuffix("." + QueueArchive.fileExtension) }.sorted()
            for name in names {
                try await importArchive(file: "\(path)/\(name)", now: now, into: &report)
            }
        } else {
            try await importArchive(file: path, now: now, into: &report)
        }
        return report
    }

    /// Imports the archive stream read from `descriptor` (a file or standard input).
    public func importArchive(descriptor: Int32, now: Date = Date()) async throws -> ImportReport {
        var report = ImportReport()
        try await importStream(ArchiveFile(descriptor: descriptor), now: now, into: &report)
        return report
    }

    private func importArchive(file path: String, now: Date, into report: inout ImportReport) async throws {
        let file = try ArchiveFile(reading: path)
        defer { file.close() }
        try await importStream(file, now: now, into: &report)
    }

    /// Imports the messages of one stream. Up to `maxPendingImports`
    /// messages (and 64 MiB of bodies) are committed concurrently, so the
    /// group committer folds them into shared syncs; each stays its own
    /// change, so one that fails fails alone.
    private func importStream(_ file: ArchiveFile, now: Date, into report: inout ImportReport) async throws {
        typealias Outcome = (id: String, result: Result<ImportOutcome, any Error>)
        var collected = report
        collected.archiveError = await withTaskGroup(of: Outcome.self) { group -> QueueArchiveError? in
            var pending = 0
            var pendingBytes = 0
            func take(_ outcome: Outcome) {
                switch outcome.result {
                case .success(.imported): collected.imported.append(outcome.id)
                case .success(.alreadyPresent): collected.skipped.append(outcome.id)
                case .failure(let error): collected.failed.append((outcome.id, "\(error)"))
                }
            }
            var decoder = QueueArchiveDecoder()
            var current: ArchivedMessage?
            var body: [UInt8] = []
            var sizes: [String: Int] = [:]
            var failure: QueueArchiveError?
            reading: while true {
                do throws(QueueArchiveError) {
                    let bytes = try file.read(maximum: 1 << 20)
                    if bytes.isEmpty {
                        try decoder.finish()
                        break reading
                    }
                    decoder.feed(bytes)
                    while let event = try decoder.next() {
                        switch event {
                        case .message(let metadata):
                            current = metadata
                            body = []
                            body.reserveCapacity(min(metadata.size, 64 << 20))
                        case .bodyChunk(let chunk):
                            body += chunk
                        case .messageEnd:
                            guard let metadata = current else { continue }
                            while pending >= Self.maxPendingImports || (pending > 0 && pendingBytes + body.count > 64 << 20) {
                                guard let outcome = await group.next() else { break }
                                pending -= 1
                                pendingBytes -= sizes.removeValue(forKey: outcome.id) ?? 0
                                take(outcome)
                            }
                            let message = body
                            pending += 1
                            pendingBytes += message.count
                            sizes[metadata.id, default: 0] += message.count
                            group.addTask {
                                do {
                                    return (metadata.id, .success(try await self.importMessage(metadata, body: .bytes(message), now: now)))
                                } catch {
                                    return (metadata.id, .failure(error))
                                }
                            }
                            current = nil
                            body = []
                        case .end:
                            break
                        }
                    }
                } catch {
                    failure = error
                    break reading
                }
            }
            while let outcome = await group.next() { take(outcome) }
            return failure
        }
        report = collected
    }

    /// How many imported messages may wait for their commit at once.
    static let maxPendingImports = 64
}
