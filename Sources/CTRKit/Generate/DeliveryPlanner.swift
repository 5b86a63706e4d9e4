/// One copy of a leg arriving in the export.
struct Delivery {
    var leg: Int
    var variant: DeliveryVariant
    /// When Firehose writes it (UTC): this, not the contact's time, picks the hour folder.
    var arrival: Int64
    /// Arrives days later: written when the run reaches that time, by rebuilding the journey.
    var deferred: Bool {
        if case .lateUpdate = variant { return true }
        return false
    }
    /// A byte-identical repeat of the delivery before it.
    var duplicate = false
}

/// Decides which copies of each leg are delivered and when, the way Connect and Firehose
/// deliver them: at least once, sometimes early, sometimes again days later, sometimes
/// twice byte for byte, and now and then never.
struct DeliveryPlanner {
    /// End of the export window: late updates land before it when the window allows.
    let windowEnd: Int64

    /// Answered legs whose first copy is sent at disconnect, before after-contact work ends.
    static let earlyCopyChance = 0.6
    /// Legs updated again days later (an attribute set through the API).
    static let lateUpdateChance = 0.04
    /// Deliveries that arrive a second time, byte for byte.
    static let duplicateChance = 0.02
    /// Legs with two different copies carrying the same LastUpdateTimestamp.
    static let conflictChance = 0.004
    /// Multi-leg journeys where one leg (the parent or the child) never arrives.
    static let missingLinkChance = 0.03
    /// Queue transfers whose next leg is not in the export (it went to another stream, or
    /// arrives after the export ends): the transferred leg keeps its `NextContactId`.
    static let missingTransferTargetChance = 0.08

    /// Appends the journey's deliveries; returns the index of the leg that never arrives, if any.
    @discardableResult
    func plan(_ journey: Journey, _ rng: inout SplitMix64, into deliveries: inout [Delivery]) -> Int? {
        var missing: Int?
        if journey.scenario == .queueTransfer && rng.chance(Self.missingTransferTargetChance) {
            missing = journey.legs.count - 1
        } else if journey.legs.count > 1 && rng.chance(Self.missingLinkChance) {
            missing = rng.chance(0.6) ? 0 : journey.legs.count - 1
        }
        for (index, leg) in journey.legs.enumerated() where index != missing {
            if leg.agent?.afterContactWorkEnd != nil && rng.chance(Self.earlyCopyChance) {
                let update = leg.disconnect + rng.int64(1...2) * 1000
                add(Delivery(leg: index, variant: .early(lastUpdate: update), arrival: update + lag(&rng)), &rng, &deliveries)
            }
            let arrival = leg.lastUpdate + lag(&rng)
            add(Delivery(leg: index, variant: .final, arrival: arrival), &rng, &deliveries)
            if rng.chance(Self.conflictChance) {
                add(Delivery(leg: index, variant: .conflict, arrival: arrival + rng.int64(0...120) * 1000), &rng, &deliveries)
            }
            if rng.chance(Self.lateUpdateChance) {
                let update = leg.lastUpdate - leg.lastUpdate % 1000 + lateDelay(after: leg.lastUpdate, &rng)
                let (key, value) = Self.lateAttribute(&rng)
                let variant = DeliveryVariant.lateUpdate(lastUpdate: update, key: key, value: value)
                add(Delivery(leg: index, variant: variant, arrival: update + lag(&rng)), &rng, &deliveries)
            }
        }
        return missing
    }

    /// Adds a delivery, and now and then the same bytes once more a little later.
    private func add(_ delivery: Delivery, _ rng: inout SplitMix64, _ deliveries: inout [Delivery]) {
        deliveries.append(delivery)
        if rng.chance(Self.duplicateChance) {
            var again = delivery
            again.arrival += rng.int64(30...900) * 1000
            again.duplicate = true
            deliveries.append(again)
        }
    }

    /// Firehose buffers for one to five minutes before it writes an object.
    private func lag(_ rng: inout SplitMix64) -> Int64 { rng.int64(5...300) * 1000 }

    /// One to six days when the window leaves room (real re-deliveries came 6 days later),
    /// otherwise one to six hours, which may fall just after the window.
    private func lateDelay(after time: Int64, _ rng: inout SplitMix64) -> Int64 {
        let room = windowEnd - time - 3_600_000
        if room > 86_400_000 {
            return rng.int64(86_400...min(6 * 86_400, room / 1000)) * 1000
        }
        return rng.int64(3600...6 * 3600) * 1000
    }

    private static func lateAttribute(_ rng: inout SplitMix64) -> (String, String) {
        switch rng.int(0...2) {
        case 0: return ("surveyScore", String(rng.int(1...5)))
        case 1: return ("caseNumber", "CS-\(rng.int(100_000...999_999))")
        default: return ("wrapUpCode", rng.pick(["resolved", "escalated", "refund-issued"]))
        }
    }
}
