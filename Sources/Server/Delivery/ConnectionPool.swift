import NIOCore
import Transport

/// Open SMTP/LMTP connections waiting for their next message, by server and
/// settings, so that one connection carries many messages.
actor ConnectionPool {
    private struct Idle {
        var connection: SMTPClientConnection
        var uses: Int
    }

    private var idle: [RemoteDeliveryAgent.Target.PoolKey: [Idle]] = [:]
    private var uses: [ObjectIdentifier: Int] = [:]
    /// Idle connections kept per server at most.
    let maxIdlePerServer: Int
    let metrics: DaemonMetrics

    init(maxIdlePerServer: Int = 64, metrics: DaemonMetrics) {
        self.maxIdlePerServer = maxIdlePerServer
        self.metrics = metrics
    }

    /// A reusable idle connection to `target`, or a new one.
    func connection(for target: RemoteDeliveryAgent.Target, group: any EventLoopGroup) async throws(DeliveryError) -> SMTPClientConnection {
        while let candidate = idle[target.poolKey]?.popLast() {
            if candidate.connection.isReusable {
                uses[ObjectIdentifier(candidate.connection)] = candidate.uses
                return candidate.connection
            }
            await candidate.connection.quit()
        }
        let connection = try await SMTPClientConnection.connect(
            to: target.address, port: target.port, hostName: target.name, settings: target.settings, eventLoopGroup: group
        )
        uses[ObjectIdentifier(connection)] = 0
        metrics.outboundConnectionOpened()
        let metrics = self.metrics
        connection.closed.whenComplete { _ in metrics.outboundConnectionClosed() }
        return connection
    }

    /// Returns a connection after a transaction: kept for reuse unless it has
    /// carried `limit` messages, cannot be reused, or the pool is full.
    func checkIn(_ connection: SMTPClientConnection, for target: RemoteDeliveryAgent.Target, limit: Int) async {
        let count = (uses.removeValue(forKey: ObjectIdentifier(connection)) ?? 0) + 1
        guard count < limit, connection.isReusable, idle[target.poolKey, default: []].count < maxIdlePerServer else {
            await connection.quit()
            return
        }
        idle[target.poolKey, default: []].append(Idle(connection: connection, uses: count))
    }
}
