import NIOCore
import Synchronization

/// Counts open SMTP sessions in total and per client address, refusing new
/// ones beyond the configured limits, and remembers them so that shutdown can
/// tell each one to finish.
final class SessionLimiter: Sendable {
    private struct State {
        var total = 0
        var perClient: [String: Int] = [:]
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = Mutex(State())
    let maxSessions: Int
    let maxPerClient: Int

    init(maxSessions: Int, maxPerClient: Int) {
        self.maxSessions = maxSessions
        self.maxPerClient = maxPerClient
    }

    /// Registers a session; false when a limit is reached.
    func acquire(_ channel: any Channel, client: String) -> Bool {
        let accepted = state.withLock { state in
            guard state.total < maxSessions, state.perClient[client, default: 0] < maxPerClient else { return false }
            state.total += 1
            state.perClient[client, default: 0] += 1
            state.channels[ObjectIdentifier(channel)] = channel
            return true
        }
        if accepted {
            channel.closeFuture.whenComplete { _ in self.release(channel, client: client) }
        }
        return accepted
    }

    private func release(_ channel: any Channel, client: String) {
        state.withLock { state in
            state.total -= 1
            state.perClient[client, default: 1] -= 1
            if state.perClient[client] == 0 { state.perClient[client] = nil }
            state.channels[ObjectIdentifier(channel)] = nil
        }
    }

    /// The sessions open now.
    var openChannels: [any Channel] {
        state.withLock { Array($0.channels.values) }
    }
}
