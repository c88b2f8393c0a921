import Foundation
import Queue

/// The batches of one message planned in one pass of the scheduler (one per
/// route and destination), whose outcomes are recorded together: when the
/// last batch has finished, every recipient update of the group and the DSNs
/// they cause — one failure report, one success report, one delay warning —
/// go into one journal transaction (DESIGN.md contract 2), so recipients of
/// one message that fail in the same pass are reported in one DSN.
///
/// A batch that finishes before its siblings keeps its recipients leased
/// until the group is recorded. A batch that could not be attempted (its
/// body could not be read) is abandoned: it leaves nothing to record, and
/// the group completes with the others.
struct DeliveryGroup: Sendable {
    /// Tells the groups of one scheduler apart.
    typealias ID = UInt64

    /// One finished attempt of a batch of the group.
    struct Attempt: Sendable {
        var batch: DeliveryBatch
        var results: [DeliveryResult]
        /// When the attempt ended: its recipients' last attempt.
        var finished: Date
    }

    /// The message as the pass read it; every batch of the group delivers part of it.
    let message: QueuedMessage
    /// Batches that have neither finished nor been abandoned.
    private(set) var outstanding: Int
    /// The finished attempts, in the order they finished.
    private(set) var attempts: [Attempt] = []
    /// The message body as the first finished batch read it, for the DSNs.
    private(set) var body: [UInt8]?

    /// A group of `batches` batches of `message`.
    init(message: QueuedMessage, batches: Int) {
        self.message = message
        self.outstanding = batches
    }

    /// Whether every batch has finished or been abandoned.
    var isComplete: Bool { outstanding <= 0 }

    /// The recipients whose finished attempts wait for the group to be recorded.
    var attemptedIndices: Set<UInt32> {
        Set(attempts.flatMap(\.batch.indices))
    }

    /// Takes the results of a finished batch; returns whether the group is complete.
    mutating func finish(_ batch: DeliveryBatch, results: [DeliveryResult], body: [UInt8], at finished: Date) -> Bool {
        attempts.append(Attempt(batch: batch, results: results, finished: finished))
        if self.body == nil { self.body = body }
        outstanding -= 1
        return isComplete
    }

    /// Counts out a batch that was not attempted; returns whether the group is complete.
    mutating func abandon() -> Bool {
        outstanding -= 1
        return isComplete
    }
}
