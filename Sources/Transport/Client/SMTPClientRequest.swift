import NIOCore

/// A request from `SMTPClientConnection` to its `SMTPClientHandler`,
/// written into the channel so it reaches the handler on its event loop.
enum SMTPClientRequest: Sendable {
    case send(OutboundTransaction, EventLoopPromise<[RecipientResult]>)
    case reset(EventLoopPromise<Void>)
    case quit(EventLoopPromise<Void>)

    /// Fails the request's promise.
    func fail(_ error: DeliveryError) {
        switch self {
        case .send(_, let promise): promise.fail(error)
        case .reset(let promise): promise.fail(error)
        case .quit(let promise): promise.fail(error)
        }
    }
}
