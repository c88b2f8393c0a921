import CLMDB
import Foundation

/// An LMDB return code with the operation that produced it.
struct LMDBError: Error, CustomStringConvertible {
    let code: Int32
    let operation: String

    var isMapFull: Bool { code == MDB_MAP_FULL }
    var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }
    /// LMDB reports a short write of its pages as `EIO`, which is what a file
    /// system that fills up in the middle of a commit gives (a partial write, not `ENOSPC`).
    var isIOError: Bool { code == EIO }

    var description: String {
        "\(operation): \(String(cString: mdb_strerror(code))) (\(code))"
    }
}

@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if code != 0 { throw LMDBError(code: code, operation: operation()) }
}

/// A named database inside the environment.
struct LMDBDatabase: Sendable {
    let handle: MDB_dbi
}

/// One LMDB environment: the memory map, its lock file and its databases.
///
/// `@unchecked Sendable`: an `MDB_env` may be shared between threads; opened
/// with `MDB_NOTLS`, read transactions may run on any thread, and the single
/// write transaction belongs to the journal's writer thread. Map resizing,
/// which LMDB allows only with no transaction open, is excluded from readers by
/// `resizeGate`.
final class LMDBEnvironment: @unchecked Sendable {
    private let env: OpaquePointer
    private let resizeGate = ReadWriteLock()
    private(set) var mapSize: Int
    let path: String

    init(path: String, mapSize: Int, maxDatabases: UInt32, readOnly: Bool = false) throws(LMDBError) {
        var created: OpaquePointer?
        try check(mdb_env_create(&created), "mdb_env_create")
        guard let env = created else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create") }
        do {
            try check(mdb_env_set_maxdbs(env, maxDatabases), "mdb_env_set_maxdbs")
            try check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            try check(mdb_env_set_maxreaders(env, 512), "mdb_env_set_maxreaders")
            var flags = UInt32(MDB_NOTLS)
            if readOnly { flags |= UInt32(MDB_RDONLY) }
            try check(mdb_env_open(env, path, flags, 0o600), "mdb_env_open \(path)")
        } catch {
            mdb_env_close(env)
            throw error
        }
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        self.env = env
        self.mapSize = max(mapSize, info.me_mapsize)
        self.path = path
    }

    deinit {
        mdb_env_close(env)
    }

    /// Opens the named databases, creating missing ones when `create`;
    /// otherwise (a read-only view, or an older journal) a missing one is
    /// left out of the result.
    func openDatabases(_ names: [String], create: Bool) throws(LMDBError) -> [String: LMDBDatabase] {
        var result: [String: LMDBDatabase] = [:]
        var txn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, create ? 0 : UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
        for name in names {
            var dbi = MDB_dbi()
            let code = mdb_dbi_open(txn, name, create ? UInt32(MDB_CREATE) : 0, &dbi)
            if code == MDB_NOTFOUND && !create { continue }
            if code != 0 {
                mdb_txn_abort(txn)
                throw LMDBError(code: code, operation: "mdb_dbi_open \(name)")
            }
            result[name] = LMDBDatabase(handle: dbi)
        }
        try check(mdb_txn_commit(txn), "mdb_txn_commit")
        return result
    }

    /// Writes a compacted copy of the environment (free pages left out) to
    /// the existing empty directory `directory`, as `data.mdb`.
    func copyCompacted(to directory: String) throws(LMDBError) {
        resizeGate.lockShared()
        defer { resizeGate.unlock() }
        try check(mdb_env_copy2(env, directory, UInt32(MDB_CP_COMPACT)), "mdb_env_copy2 \(directory)")
    }

    /// Runs `body` in a read-only snapshot.
    func read<T>(_ body: (borrowing LMDBTransaction) throws -> T) throws -> T {
        resizeGate.lockShared()
        defer { resizeGate.unlock() }
        var txn: OpaquePointer?
        var code = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        if code == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size and begin again.
            mdb_env_set_mapsize(env, 0)
            code = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        }
        try check(code, "mdb_txn_begin(read)")
        let transaction = LMDBTransaction(handle: txn!)
        defer { mdb_txn_abort(txn) }
        return try body(transaction)
    }

    /// Begins the write transaction; only the writer thread calls this.
    func beginWrite(parent: OpaquePointer? = nil) throws(LMDBError) -> LMDBTransaction {
        var txn: OpaquePointer?
        var code = mdb_txn_begin(env, parent, 0, &txn)
        if code == MDB_MAP_RESIZED {
            mdb_env_set_mapsize(env, 0)
            code = mdb_txn_begin(env, parent, 0, &txn)
        }
        try check(code, "mdb_txn_begin(write)")
        return LMDBTransaction(handle: txn!)
    }

    /// Whether the file system holding the journal has (almost) no space left:
    /// less than `fullThreshold` bytes for this user (root may use the reserved blocks).
    func isFileSystemFull() -> Bool {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return false }
        let blocks = geteuid() == 0 ? stats.f_bfree : stats.f_bavail
        return Int(blocks) * Int(stats.f_frsize) < Self.fullThreshold
    }

    /// Below this much free space a failed write is taken for a full disk: 1 MiB.
    static let fullThreshold = 1 << 20

    /// Grows the map to `newSize`; call with no transaction of this process open.
    func grow(to newSize: Int) throws(LMDBError) {
        resizeGate.lockExclusive()
        defer { resizeGate.unlock() }
        try check(mdb_env_set_mapsize(env, newSize), "mdb_env_set_mapsize")
        mapSize = newSize
    }

    /// Bytes of the data file in use (last page used × page size).
    func usedBytes() -> Int {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        mdb_env_info(env, &info)
        mdb_env_stat(env, &stat)
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }
}

/// A transaction handle. Non-copyable so that it cannot escape the closure
/// that owns it, and synchronous use only: no `await` can sit inside one.
struct LMDBTransaction: ~Copyable {
    let handle: OpaquePointer

    consuming func commit() throws(LMDBError) {
        // mdb_txn_commit frees the transaction even when it fails.
        try check(mdb_txn_commit(handle), "mdb_txn_commit")
    }

    consuming func abort() {
        mdb_txn_abort(handle)
    }

    /// The value stored under `key`, copied out, or nil.
    func get(_ db: LMDBDatabase, _ key: [UInt8]) throws -> [UInt8]? {
        try withValue(db, key) { $0.map { Array($0) } }
    }

    /// Calls `body` with the stored bytes (valid only inside `body`), or nil.
    func withValue<T>(_ db: LMDBDatabase, _ key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> T) throws -> T {
        var data = MDB_val()
        let code = key.withUnsafeBytes { keyBytes in
            var keyVal = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_get(handle, db.handle, &keyVal, &data)
        }
        if code == MDB_NOTFOUND { return try body(nil) }
        try check(code, "mdb_get")
        return try body(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size))
    }

    func put(_ db: LMDBDatabase, _ key: [UInt8], _ value: [UInt8], append: Bool = false) throws(LMDBError) {
        let code = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var keyVal = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var dataVal = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                var code = mdb_put(handle, db.handle, &keyVal, &dataVal, append ? UInt32(MDB_APPEND) : 0)
                if append && code == MDB_KEYEXIST {
                    // Not in key order after all: an ordinary put finds its place.
                    code = mdb_put(handle, db.handle, &keyVal, &dataVal, 0)
                }
                return code
            }
        }
        try check(code, "mdb_put")
    }

    /// Reserves `size` bytes under `key` and lets `fill` write them in place.
    func putReserved(_ db: LMDBDatabase, _ key: [UInt8], size: Int, append: Bool, fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        var dataVal = MDB_val(mv_size: size, mv_data: nil)
        let code = key.withUnsafeBytes { keyBytes in
            var keyVal = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            var code = mdb_put(handle, db.handle, &keyVal, &dataVal, UInt32(MDB_RESERVE) | (append ? UInt32(MDB_APPEND) : 0))
            if append && code == MDB_KEYEXIST {
                code = mdb_put(handle, db.handle, &keyVal, &dataVal, UInt32(MDB_RESERVE))
            }
            return code
        }
        try check(code, "mdb_put(reserve)")
        try fill(UnsafeMutableRawBufferPointer(start: dataVal.mv_data, count: size))
    }

    /// Deletes `key`; returns whether it existed.
    @discardableResult
    func delete(_ db: LMDBDatabase, _ key: [UInt8]) throws(LMDBError) -> Bool {
        let code = key.withUnsafeBytes { keyBytes in
            var keyVal = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_del(handle, db.handle, &keyVal, nil)
        }
        if code == MDB_NOTFOUND { return false }
        try check(code, "mdb_del")
        return true
    }

    /// Visits entries in key order from the first key ≥ `start` while `body`
    /// returns true. Keys and values are valid only during the call.
    func scan(
        _ db: LMDBDatabase,
        from start: [UInt8] = [],
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(handle, db.handle, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var data = MDB_val()
        var code: Int32
        if start.isEmpty {
            code = mdb_cursor_get(cursor, &key, &data, MDB_FIRST)
        } else {
            code = start.withUnsafeBytes { startBytes in
                key = MDB_val(mv_size: startBytes.count, mv_data: UnsafeMutableRawPointer(mutating: startBytes.baseAddress))
                return mdb_cursor_get(cursor, &key, &data, MDB_SET_RANGE)
            }
        }
        while code == 0 {
            let keep = try body(
                UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size),
                UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size)
            )
            if !keep { return }
            code = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
        }
        if code != MDB_NOTFOUND { try check(code, "mdb_cursor_get") }
    }

    /// Number of entries in `db`.
    func count(_ db: LMDBDatabase) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(handle, db.handle, &stat), "mdb_stat")
        return stat.ms_entries
    }
}

/// A pthread read-write lock.
///
/// `@unchecked Sendable`: the lock itself is the synchronisation; its storage
/// is allocated once and never moves.
final class ReadWriteLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func lockShared() { pthread_rwlock_rdlock(lock) }
    func lockExclusive() { pthread_rwlock_wrlock(lock) }
    func unlock() { pthread_rwlock_unlock(lock) }
}
