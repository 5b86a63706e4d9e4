/// The kinds of customer journey the generator writes, with how often each occurs.
public enum JourneyScenario: String, CaseIterable, Sendable {
    /// Inbound, queued, answered by an agent.
    case answered
    /// Answered, then the agent transferred the customer to another queue (a TRANSFER leg).
    case agentTransfer
    /// Inbound, queued, the customer hung up before an agent answered.
    case abandoned
    /// Inbound, queued, the customer asked to be called back (a CALLBACK leg).
    case callback
    /// Inbound, queued, moved to another queue by a flow (a QUEUE_TRANSFER leg).
    case queueTransfer
    /// An agent called the customer (OUTBOUND: a queue with no enqueue time).
    case outbound
    /// Inbound, handled by the IVR alone: no queue, no agent.
    case ivrOnly

    /// Share of journeys, tuned so 100,000 journeys make about 120,000 legs (self-service is common).
    var weight: Double {
        switch self {
        case .answered: return 0.42
        case .agentTransfer: return 0.06
        case .abandoned: return 0.12
        case .callback: return 0.08
        case .queueTransfer: return 0.05
        case .outbound: return 0.09
        case .ivrOnly: return 0.18
        }
    }
}

/// What happened to a callback leg.
enum CallbackOutcome: CaseIterable {
    /// Agent whisper, then the customer answered and heard the outbound whisper.
    case answered
    /// An agent accepted it (the leg is dequeued) but the customer never picked up.
    case notConnected
    /// Nobody took it before it expired in the callback queue.
    case expired
}

/// One customer journey: its legs in the order Connect created them.
struct Journey {
    var scenario: JourneyScenario
    var legs: [ContactLeg]
}

/// Builds journeys. Everything is drawn from the journey's own generator, so a journey
/// depends only on the seed, its index and its start time, and can be rebuilt later
/// (late updates are written that way instead of being held in memory for days).
struct JourneyFactory {
    let center: ContactCenter
    private let scenarioWeights = JourneyScenario.allCases.map(\.weight)

    func make(start: Int64, rng: inout SplitMix64) -> Journey {
        let scenario = JourneyScenario.allCases[rng.weighted(scenarioWeights)]
        let customer = Self.phoneNumber(&rng)
        let profile = CallerProfile(&rng)
        var legs: [ContactLeg] = []
        switch scenario {
        case .answered:
            var leg = inbound(start: start, customer: customer, profile: profile, &rng)
            answer(&leg, at: queueUp(&leg, in: inboundQueue(&rng), &rng), &rng)
            if rng.chance(0.04) {
                // Cold transfer to an outside number: no new leg is created.
                leg.transferredTo = Self.phoneNumber(&rng)
                leg.transferCompleted = leg.disconnect
            }
            legs = [leg]
        case .agentTransfer:
            var first = inbound(start: start, customer: customer, profile: profile, &rng)
            let queue = inboundQueue(&rng)
            answer(&first, at: queueUp(&first, in: queue, &rng), &rng)
            var second = child(of: first, method: "TRANSFER", at: first.disconnect, &rng)
            first.transferCompleted = first.disconnect
            first.disconnectReason = "AGENT_DISCONNECT"
            first.nextContactId = second.contactId
            settle(&second, in: otherQueue(than: queue, &rng), answerChance: 0.9, &rng)
            legs = [first, second]
        case .abandoned:
            var leg = inbound(start: start, customer: customer, profile: profile, &rng)
            abandon(&leg, at: queueUp(&leg, in: inboundQueue(&rng), &rng), &rng)
            legs = [leg]
        case .callback:
            legs = callbackJourney(start: start, customer: customer, profile: profile, &rng)
        case .queueTransfer:
            var first = inbound(start: start, customer: customer, profile: profile, &rng)
            let queue = inboundQueue(&rng)
            let enqueue = queueUp(&first, in: queue, &rng)
            let moved = enqueue + rng.seconds(mean: 150, 30...900) * 1000
            leaveQueue(&first, at: moved, reason: "CONTACT_FLOW_DISCONNECT", &rng)
            var second = child(of: first, method: "QUEUE_TRANSFER", at: moved, &rng)
            first.transferCompleted = moved
            first.nextContactId = second.contactId
            settle(&second, in: otherQueue(than: queue, &rng), answerChance: 0.85, &rng)
            legs = [first, second]
        case .outbound:
            legs = [outbound(start: start, customer: customer, &rng)]
        case .ivrOnly:
            var leg = inbound(start: start, customer: customer, profile: profile, &rng)
            leg.disconnect = start + rng.seconds(mean: 90, 15...900) * 1000
            leg.disconnectReason = rng.chance(0.6) ? "CUSTOMER_DISCONNECT" : "CONTACT_FLOW_DISCONNECT"
            leg.setAttribute("selfService", rng.pick(["balance", "order-status", "opening-hours", "payment"]))
            leg.lastUpdate = leg.disconnect + rng.int64(1...20) * 1000
            legs = [leg]
        }
        return Journey(scenario: scenario, legs: legs)
    }

    // MARK: - Scenarios with several steps

    private func callbackJourney(start: Int64, customer: String, profile: CallerProfile, _ rng: inout SplitMix64) -> [ContactLeg] {
        var first = inbound(start: start, customer: customer, profile: profile, &rng)
        let enqueue = queueUp(&first, in: inboundQueue(&rng), &rng)
        // The customer waits, hears the callback offer and presses 1; the flow then hangs up.
        let requested = enqueue + rng.seconds(mean: 100, 20...600) * 1000
        leaveQueue(&first, at: requested, reason: "CONTACT_FLOW_DISCONNECT", &rng)
        first.setAttribute("callbackNumber", customer)

        var callback = child(of: first, method: "CALLBACK", at: requested, &rng)
        first.nextContactId = callback.contactId
        callback.connectedToSystem = nil
        callback.systemAddress = ContactCenter.outboundCallerId
        // The initial delay of the transfer-to-queue block: the callback is created, then queued.
        let delay = rng.int64(0...150) * 1000
        let enqueueCallback = requested + delay
        let dequeue = enqueueCallback + rng.seconds(mean: 420, 20...3000) * 1000
        var visit = QueueVisit(queue: center.callbackQueue, enqueue: enqueueCallback, dequeue: dequeue, duration: nil)
        // Like AWS's own queued-callback example, Duration often counts the initial delay too.
        visit.duration = (rng.chance(0.7) ? dequeue - requested : dequeue - enqueueCallback) / 1000
        if rng.chance(0.01) { visit.duration = nil }

        let outcomes: [Double] = [0.75, 0.10, 0.15]
        switch CallbackOutcome.allCases[rng.weighted(outcomes)] {
        case .answered:
            let customerAnswered = dequeue + rng.int64(5...20) * 1000
            let connected = customerAnswered + rng.int64(5...20) * 1000
            callback.connectedToSystem = customerAnswered
            callback.queue = visit
            talk(&callback, agent: pickAgent(&rng), connected: connected, &rng)
            callback.agentConnectionAttempts = 1
        case .notConnected:
            callback.queue = visit
            var agent = AgentVisit(agent: pickAgent(&rng))
            callback.disconnect = dequeue + rng.int64(25...60) * 1000
            agent.afterContactWorkStart = callback.disconnect
            agent.afterContactWorkEnd = callback.disconnect + rng.int64(3...30) * 1000
            callback.agent = agent
            callback.agentConnectionAttempts = 1
            callback.disconnectReason = "OTHER"
            callback.lastUpdate = agent.afterContactWorkEnd! + rng.int64(1...30) * 1000
        case .expired:
            callback.queue = visit
            callback.disconnect = dequeue
            callback.disconnectReason = "OTHER"
            callback.lastUpdate = dequeue + rng.int64(1...30) * 1000
        }
        return [first, callback]
    }

    private func outbound(start: Int64, customer: String, _ rng: inout SplitMix64) -> ContactLeg {
        var leg = ContactLeg(contactId: rng.uuid(), initiationMethod: "OUTBOUND", initiation: start, disconnect: start,
                             customerAddress: customer, systemAddress: ContactCenter.outboundCallerId)
        // Outbound legs name the agent's outbound queue but were never queued.
        leg.queue = QueueVisit(queue: inboundQueue(&rng), enqueue: nil, dequeue: nil, duration: 0)
        let agent = pickAgent(&rng)
        if rng.chance(0.85) {
            leg.connectedToSystem = start + rng.int64(5...30) * 1000
            talk(&leg, agent: agent, connected: start, &rng)
            leg.setAttribute("campaign", rng.pick(["renewals", "follow-up", "win-back"]))
        } else {
            var visit = AgentVisit(agent: agent)
            visit.connectedToAgent = start
            leg.disconnect = start + rng.int64(20...45) * 1000
            visit.interaction = (leg.disconnect - start) / 1000
            visit.afterContactWorkStart = leg.disconnect
            visit.afterContactWorkEnd = leg.disconnect + rng.int64(3...20) * 1000
            leg.agent = visit
            leg.disconnectReason = "THIRD_PARTY_DISCONNECT"
            leg.lastUpdate = visit.afterContactWorkEnd! + rng.int64(1...30) * 1000
        }
        return leg
    }

    // MARK: - Steps

    private func inbound(start: Int64, customer: String, profile: CallerProfile, _ rng: inout SplitMix64) -> ContactLeg {
        var leg = ContactLeg(contactId: rng.uuid(), initiationMethod: "INBOUND", initiation: start, disconnect: start,
                             customerAddress: customer, systemAddress: rng.pick(ContactCenter.inboundNumbers))
        leg.connectedToSystem = start
        leg.attributes = profile.attributes
        return leg
    }

    /// A leg created from `parent` (transfer, queue transfer, callback): same customer, linked both ways.
    private func child(of parent: ContactLeg, method: String, at time: Int64, _ rng: inout SplitMix64) -> ContactLeg {
        var leg = ContactLeg(contactId: rng.uuid(), initiationMethod: method, initiation: time, disconnect: time,
                             customerAddress: parent.customerAddress, systemAddress: parent.systemAddress)
        leg.connectedToSystem = time
        leg.previousContactId = parent.contactId
        leg.initialContactId = parent.initialContactId ?? parent.contactId
        leg.attributes = parent.attributes
        return leg
    }

    /// Runs the IVR, then puts the leg in `queue`; returns the enqueue time.
    private func queueUp(_ leg: inout ContactLeg, in queue: QueueProfile, _ rng: inout SplitMix64) -> Int64 {
        let enqueue = leg.initiation + rng.seconds(mean: 40, 8...180) * 1000
        leg.queue = QueueVisit(queue: queue, enqueue: enqueue, dequeue: nil, duration: nil)
        return enqueue
    }

    /// A transferred leg is queued at once, then answered or abandoned.
    private func settle(_ leg: inout ContactLeg, in queue: QueueProfile, answerChance: Double, _ rng: inout SplitMix64) {
        let enqueue = leg.initiation + rng.int64(1...10) * 1000
        leg.queue = QueueVisit(queue: queue, enqueue: enqueue, dequeue: nil, duration: nil)
        if rng.chance(answerChance) { answer(&leg, at: enqueue, &rng) } else { abandon(&leg, at: enqueue, &rng) }
    }

    private func answer(_ leg: inout ContactLeg, at enqueue: Int64, _ rng: inout SplitMix64) {
        let dequeue = enqueue + rng.seconds(mean: 55, 2...1500) * 1000
        leaveQueue(&leg, at: dequeue, reason: rng.chance(0.55) ? "CUSTOMER_DISCONNECT" : "AGENT_DISCONNECT", &rng)
        talk(&leg, agent: pickAgent(&rng), connected: dequeue, &rng)
        leg.agentConnectionAttempts = rng.chance(0.93) ? 1 : rng.int(2...3)
    }

    private func abandon(_ leg: inout ContactLeg, at enqueue: Int64, _ rng: inout SplitMix64) {
        // About a third hang up within 5 seconds (short abandons).
        let wait = rng.chance(0.3) ? rng.int64(1...4) : rng.seconds(mean: 110, 5...1200)
        leaveQueue(&leg, at: enqueue + wait * 1000, reason: "CUSTOMER_DISCONNECT", &rng)
        leg.lastUpdate = leg.disconnect + rng.int64(1...30) * 1000
    }

    /// Dequeues the leg; it disconnects then too unless an agent talks to the customer.
    private func leaveQueue(_ leg: inout ContactLeg, at time: Int64, reason: String, _ rng: inout SplitMix64) {
        guard var visit = leg.queue, let enqueue = visit.enqueue else { return }
        visit.dequeue = time
        // Upstream sometimes omits Duration (about 1 leg in 100).
        visit.duration = rng.chance(0.01) ? nil : (time - enqueue) / 1000
        leg.queue = visit
        leg.disconnect = time
        leg.disconnectReason = reason
        leg.lastUpdate = time + rng.int64(1...30) * 1000
    }

    /// The agent conversation from `connected`: talk, holds, after-contact work.
    private func talk(_ leg: inout ContactLeg, agent: AgentProfile, connected: Int64, _ rng: inout SplitMix64) {
        var visit = AgentVisit(agent: agent)
        visit.connectedToAgent = connected
        visit.interaction = rng.seconds(mean: 280, 20...3600)
        if rng.chance(0.25) {
            visit.numberOfHolds = rng.int(1...3)
            for _ in 0..<visit.numberOfHolds {
                let hold = rng.seconds(mean: 60, 5...400)
                visit.customerHold += hold
                visit.longestHold = max(visit.longestHold, hold)
            }
        }
        leg.disconnect = connected + (visit.interaction + visit.customerHold) * 1000
        visit.afterContactWorkStart = leg.disconnect
        visit.afterContactWorkEnd = leg.disconnect + rng.seconds(mean: 35, 3...300) * 1000
        leg.agent = visit
        // Recording is switched on per flow; fewer than half the handled calls pass through one that records.
        leg.recorded = rng.chance(0.4)
        if leg.disconnectReason == nil { leg.disconnectReason = rng.chance(0.55) ? "CUSTOMER_DISCONNECT" : "AGENT_DISCONNECT" }
        leg.lastUpdate = visit.afterContactWorkEnd! + rng.int64(1...60) * 1000
        // Now and then a copy carries a millisecond timestamp.
        if rng.chance(0.005) { leg.lastUpdate += rng.int64(1...999) }
    }

    private func pickAgent(_ rng: inout SplitMix64) -> AgentProfile { rng.pick(center.agents) }

    private func inboundQueue(_ rng: inout SplitMix64) -> QueueProfile {
        center.queues[rng.weighted([0.3, 0.2, 0.3, 0.2])]
    }

    private func otherQueue(than queue: QueueProfile, _ rng: inout SplitMix64) -> QueueProfile {
        let others = center.queues.filter { $0.name != queue.name }
        return rng.pick(others)
    }

    static func phoneNumber(_ rng: inout SplitMix64) -> String {
        var text = "+1\(rng.int(201...989))555"
        let line = rng.int(0...9999)
        text += String(line + 10_000).dropFirst()
        return text
    }
}
