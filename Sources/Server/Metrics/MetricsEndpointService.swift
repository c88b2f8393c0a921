import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// The `metrics listen on ADDRESS port N` endpoint: an HTTP/1.1 server that
/// answers `GET /metrics` with the registry in Prometheus' text exposition
/// format 0.0.4 and 404 to anything else. On graceful shutdown it stops
/// accepting and closes.
final class MetricsEndpointService: Service {
    let bindAddress: SocketAddress
    let registry: PrometheusCollectorRegistry
    let group: any EventLoopGroup
    let logger: Logger

    init(bindAddress: SocketAddress, registry: PrometheusCollectorRegistry, group: any EventLoopGroup, logger: Logger) {
        self.bindAddress = bindAddress
        self.registry = registry
        self.group = group
        self.logger = logger
    }

    func run() async throws {
        let registry = self.registry
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry))
                }
            }
            .bind(to: bindAddress)
            .get()
        logger.notice("metrics endpoint listening on http://\(bindAddress)/metrics")
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        logger.notice("metrics endpoint stopped")
    }
}
