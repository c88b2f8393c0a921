import Foundation

extension Journal {
    /// Writes a compacted copy of the journal at `path` (free pages dropped)
    /// and swaps it in place of the data file; refuses while a daemon holds
    /// the journal. Readers opened before keep reading the old file until
    /// they close.
    /// - Returns: the data file's size before and after, in bytes.
    public static func compact(path: String) throws -> (before: Int, after: Int) {
        let lock = try JournalLock(path: path, create: false)
        defer { lock.release() }
        let data = path + "/data.mdb"
        let temporary = path + "/compact.tmp"
        let before = fileSize(data)
        try? FileManager.default.removeItem(atPath: temporary)
        guard mkdir(temporary, 0o700) == 0 else {
            throw JournalError(.unavailable, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            let environment = try LMDBEnvironment(path: path, mapSize: Options().mapSize, maxDatabases: 16, readOnly: true)
            try environment.copyCompacted(to: temporary)
        } catch {
            throw JournalError.from(error)
        }
        try syncFile(temporary + "/data.mdb")
        guard rename(temporary + "/data.mdb", data) == 0 else {
            throw JournalError(.unavailable, "cannot replace \(data): \(String(cString: strerror(errno)))")
        }
        // The reader table describes the old file; LMDB makes a new one on the next open.
        unlink(path + "/lock.mdb")
        try syncFile(path)
        return (before, fileSize(data))
    }

    private static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private static func syncFile(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            if descriptor >= 0 { Glibc.close(descriptor) }
            throw JournalError(.unavailable, "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
        Glibc.close(descriptor)
    }
}
