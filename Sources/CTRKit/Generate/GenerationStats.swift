/// What a run generated, counted as it was written: the rates of each scenario and
/// delivery quirk, so a benchmark or a test can see what the export contains.
public struct GenerationStats: Sendable, Equatable {
    public var journeys: [JourneyScenario: Int] = [:]
    /// Legs created, including the ones never delivered.
    public var legs = 0
    /// Legs created per `InitiationMethod`.
    public var legsByMethod: [String: Int] = [:]
    /// Legs never delivered: their parent or child names a contact that is not in the export.
    public var undeliveredLegs = 0
    public var finalCopies = 0
    public var earlyCopies = 0
    public var lateUpdates = 0
    public var duplicates = 0
    public var conflicts = 0
    public var callbacksAnswered = 0
    public var callbacksNotConnected = 0
    public var callbacksExpired = 0
    /// Agent-first callbacks retried once (two CALLBACK legs) and twice (three).
    public var callbacksRetriedOnce = 0
    public var callbacksRetriedTwice = 0
    /// Customer-first callbacks by how they ended.
    public var customerFirstAnsweredAtFirstDial = 0
    public var customerFirstAnsweredAtSecondDial = 0
    public var customerFirstNeverAnswered = 0
    /// Expired in the callback queue before anyone was dialled.
    public var customerFirstExpired = 0
    /// Queued callback legs with an initial delay, by what their Queue.Duration counts:
    /// dequeue minus initiation (the delay included, as in AWS's corrected example) or
    /// dequeue minus enqueue. Legs without a delay fit both and are in neither.
    public var callbackDurationsWithDelay = 0
    public var callbackDurationsFromEnqueue = 0
    /// Queue transfers whose transferred leg has `TransferCompletedTimestamp`, and those whose next leg was never delivered.
    public var queueTransfersCompleted = 0
    public var queueTransfersNextLegMissing = 0
    /// Abandoned in queue within 5 seconds.
    public var shortAbandons = 0
    public var missingQueueDurations = 0
    public var millisecondTimestamps = 0
    public var caseVariantKeys = 0
    public var formulaValues = 0

    public init() {}

    public var deliveries: Int { finalCopies + earlyCopies + lateUpdates + duplicates + conflicts }

    mutating func count(_ journey: Journey, missing: Int?) {
        journeys[journey.scenario, default: 0] += 1
        legs += journey.legs.count
        countFlow(journey, missing: missing)
        for (index, leg) in journey.legs.enumerated() {
            legsByMethod[leg.initiationMethod, default: 0] += 1
            if index == missing {
                undeliveredLegs += 1
                continue
            }
            if leg.initiationMethod == "CALLBACK" {
                if leg.agent?.connectedToAgent != nil {
                    callbacksAnswered += 1
                } else if leg.agent != nil {
                    callbacksNotConnected += 1
                } else {
                    callbacksExpired += 1
                }
            }
            if leg.initiationMethod.hasPrefix("CALLBACK"), let q = leg.queue, let d = q.duration, let e = q.enqueue, let dq = q.dequeue, e > leg.initiation {
                if d == (dq - leg.initiation) / 1000 { callbackDurationsWithDelay += 1 }
                if d == (dq - e) / 1000 { callbackDurationsFromEnqueue += 1 }
            }
            if let q = leg.queue, let e = q.enqueue, let dq = q.dequeue {
                if q.duration == nil { missingQueueDurations += 1 }
                if leg.agent == nil && leg.nextContactId == nil && dq - e < 5000 { shortAbandons += 1 }
            }
            if leg.lastUpdate % 1000 != 0 { millisecondTimestamps += 1 }
            if leg.attributes.contains(where: { $0.key == "GreetingPlayed" }) { caseVariantKeys += 1 }
            if leg.attributes.contains(where: { $0.key == "customerNote" }) { formulaValues += 1 }
        }
    }

    /// The journey-level figures: how often callbacks were retried or dialled again, and how queue transfers ended.
    private mutating func countFlow(_ journey: Journey, missing: Int?) {
        switch journey.scenario {
        case .callback:
            let attempts = journey.legs.count - 1
            if attempts == 2 { callbacksRetriedOnce += 1 }
            if attempts == 3 { callbacksRetriedTwice += 1 }
        case .customerFirstCallback:
            let dials = journey.legs.filter { $0.initiationMethod == "CALLBACK_CUSTOMER_FIRST_DIALED" }
            if dials.isEmpty {
                customerFirstExpired += 1
            } else if let answered = dials.firstIndex(where: { $0.agent?.connectedToAgent != nil }) {
                if answered == 0 { customerFirstAnsweredAtFirstDial += 1 } else { customerFirstAnsweredAtSecondDial += 1 }
            } else {
                customerFirstNeverAnswered += 1
            }
        case .queueTransfer:
            if journey.legs[0].transferCompleted != nil { queueTransfersCompleted += 1 }
            if missing == journey.legs.count - 1 { queueTransfersNextLegMissing += 1 }
        default:
            break
        }
    }

    mutating func count(_ delivery: Delivery) {
        if delivery.duplicate {
            duplicates += 1
            return
        }
        switch delivery.variant {
        case .final: finalCopies += 1
        case .early: earlyCopies += 1
        case .lateUpdate: lateUpdates += 1
        case .conflict: conflicts += 1
        }
    }

    /// One `name: count (share)` line per figure, for the benchmark notes.
    public var lines: [String] {
        func share(_ n: Int, of total: Int) -> String {
            total == 0 ? "0" : String(Double(Int((Double(n) * 10000 / Double(total)).rounded())) / 100) + "%"
        }
        let journeyTotal = journeys.values.reduce(0, +)
        var out = JourneyScenario.allCases.map { "journeys.\($0.rawValue): \(journeys[$0, default: 0]) (\(share(journeys[$0, default: 0], of: journeyTotal)) of journeys)" }
        let d = deliveries
        out += [
            "legs: \(legs), never delivered: \(undeliveredLegs) (\(share(undeliveredLegs, of: legs)) of legs)",
            "deliveries: \(d): final \(finalCopies), early \(earlyCopies) (\(share(earlyCopies, of: d))), late updates \(lateUpdates) (\(share(lateUpdates, of: d))), duplicates \(duplicates) (\(share(duplicates, of: d))), equal-timestamp conflicts \(conflicts) (\(share(conflicts, of: d)))",
            "legs by initiation method: " + legsByMethod.keys.sorted().map { "\($0) \(legsByMethod[$0]!)" }.joined(separator: ", "),
            "agent-first callback legs: answered \(callbacksAnswered), accepted but not connected \(callbacksNotConnected), expired \(callbacksExpired); requests retried once \(callbacksRetriedOnce), twice \(callbacksRetriedTwice)",
            "customer-first callbacks: answered at the first dial \(customerFirstAnsweredAtFirstDial), at the second \(customerFirstAnsweredAtSecondDial), never answered \(customerFirstNeverAnswered), expired before a dial \(customerFirstExpired)",
            "callback Queue.Duration: dequeue - initiation (delay included) \(callbackDurationsWithDelay), dequeue - enqueue \(callbackDurationsFromEnqueue)",
            "queue transfers: TransferCompletedTimestamp set \(queueTransfersCompleted), next leg missing \(queueTransfersNextLegMissing)",
            "short abandons (< 5 s): \(shortAbandons); missing Queue.Duration: \(missingQueueDurations) (\(share(missingQueueDurations, of: legs)) of legs)",
            "millisecond timestamps: \(millisecondTimestamps); case-variant keys: \(caseVariantKeys); formula-like values: \(formulaValues)",
        ]
        return out
    }
}
