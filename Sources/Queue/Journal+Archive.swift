import Envelope
import Foundation

extension Journal {
    /// Writes the selected messages as one archive stream through `write`,
    /// bodies streamed chunk by chunk. Messages that cannot be read are left
    /// out and reported; completed messages are included.
    public func export(_ selection: JournalSelection, to write: (UnsafeRawBufferPointer) throws -> Void) throws -> ExportReport {
        var report = ExportReport()
        try QueueArchive.header().withUnsafeBytes(write)
        for id in try exportCandidates(selection) {
            guard let message = try selectedMessage(id, selection, &report) else { continue }
            try writeMessage(message, to: write)
            report.exported.append(id)
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
            guard let message = try selectedMessage(id, selection, &report) else { continue }
            let final = "\(directory)/\(id).\(QueueArchive.fileExtension)"
            let temporary = final + ".tmp"
            let file = try ArchiveFile(creating: temporary)
            do {
                try QueueArchive.header().withUnsafeBytes(file.write)
                try writeMessage(message, to: file.write)
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

    private func selectedMessage(_ id: MessageID, _ selection: JournalSelection, _ report: inout ExportReport) throws -> QueuedMessage? {
        do {
            guard let message = try message(id), selection.matches(message) else { return nil }
            return message
        } catch let error as JournalError where error.code == .corruptRecord {
            report.failed.append((id, error.detail))
            return nil
        }
    }

    private func writeMessage(_ message: QueuedMessage, to write: (UnsafeRawBufferPointer) throws -> Void) throws {
        let id = message.envelope.id
        try QueueArchive.messageHeader(ArchivedMessage(message)).withUnsafeBytes(write)
        var written = 0
        try readBody(of: id) { chunk in
            written += chunk.count
            guard written <= message.envelope.size else { return }
            try write(chunk)
        }
        guard written == message.envelope.size else {
            throw JournalError(.corruptRecord, "the stored body has \(written) bytes, the envelope says \(message.envelope.size); the archive is incomplete", messageID: id)
        }
        try QueueArchive.messageTrailer.withUnsafeBytes(write)
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
