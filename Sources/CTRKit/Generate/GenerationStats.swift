/// What a run generated, counted as it was written: the rates of each scenario and
/// delivery quirk, so a benchmark or a test can see what the export contains.
public struct GenerationStats: Sendable, Equatable {
    public var journeys: [JourneyScenario: Int] = [:]
    /// Legs created, including the ones never delivered.
    public var legs = 0
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
    /// Callback legs whose Queue.Duration includes the initial delay (the seed example's way).
    public var callbackDurationsWithDelay = 0
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
        for (index, leg) in journey.legs.enumerated() {
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
                if let q = leg.queue, let d = q.duration, let e = q.enqueue, let dq = q.dequeue, d > (dq - e) / 1000 {
                    callbackDurationsWithDelay += 1
                }
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
            "callback legs: answered \(callbacksAnswered), accepted but not connected \(callbacksNotConnected), expired \(callbacksExpired), Duration including the delay \(callbackDurationsWithDelay)",
            "short abandons (< 5 s): \(shortAbandons); missing Queue.Duration: \(missingQueueDurations) (\(share(missingQueueDurations, of: legs)) of legs)",
            "millisecond timestamps: \(millisecondTimestamps); case-variant keys: \(caseVariantKeys); formula-like values: \(formulaValues)",
        ]
        return out
    }
}
