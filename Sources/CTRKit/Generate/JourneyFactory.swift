/// The kinds of customer journey the generator writes, with how often each occurs.
public enum JourneyScenario: String, CaseIterable, Sendable {
    /// Inbound, queued, answered by an agent.
    case answered
    /// Answered, then the agent transferred the customer to another queue (a TRANSFER leg).
    case agentTransfer
    /// Inbound, queued, the customer hung up before an agent answered.
    case abandoned
    /// Inbound, queued, the customer asked to be called back (agent first: a CALLBACK leg,
    /// and a retry leg for each attempt the customer did not answer, up to two).
    case callback
    /// Inbound, queued, a customer-first callback: a CALLBACK_CUSTOMER_FIRST_QUEUED leg waits
    /// in the callback queue, then hands over to a CALLBACK_CUSTOMER_FIRST_DIALED leg that
    /// dials the customer and, once they answer, queues for an agent (a second dial when the
    /// first goes unanswered).
    case customerFirstCallback
    /// Inbound, queued, moved to another queue by a flow (a QUEUE_TRANSFER leg).
    case queueTransfer
    /// An agent called the customer (OUTBOUND: a queue with no enqueue time).
    case outbound
    /// Inbound, handled by the IVR alone: no queue, no agent.
    case ivrOnly

    /// Share of journeys, tuned so 100,000 journeys make about 125,000 legs (self-service is common).
    var weight: Double {
        switch self {
        case .answered: return 0.40
        case .agentTransfer: return 0.06
        case .abandoned: return 0.12
        case .callback: return 0.08
        case .customerFirstCallback: return 0.04
        case .queueTransfer: return 0.05
        case .outbound: return 0.08
        case .ivrOnly: return 0.17
        }
    }
}

/// What happened to one agent-first callback attempt (a CALLBACK leg).
enum CallbackOutcome: CaseIterable {
    /// Agent whisper, then the customer answered and heard the outbound whisper.
    case answered
    /// An agent accepted it (the leg is dequeued) but the customer never picked up: Connect
    /// retries in a new CALLBACK leg while the Transfer to queue block allows.
    case notConnected
    /// Nobody took it before it expired in the callback queue.
    case expired

    /// Shares per attempt: most customers answer, about one in five does not pick up.
    static let weights: [Double] = [0.68, 0.22, 0.10]
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
                leg.transferredTo = .externalNumber(Self.phoneNumber(&rng))
                leg.transferCompleted = leg.disconnect
            }
            legs = [leg]
        case .agentTransfer:
            var first = inbound(start: start, customer: customer, profile: profile, &rng)
            let queue = inboundQueue(&rng)
            answer(&first, at: queueUp(&first, in: queue, &rng), &rng)
            var second = child(of: first, method: "TRANSFER", at: first.disconnect, &rng)
            first.transferCompleted = first.disconnect
            first.transferredTo = .insideInstance
            first.disconnectReason = "AGENT_DISCONNECT"
            first.nextContactId = second.contactId
            settle(&second, in: otherQueue(than: queue, &rng), answerChance: 0.9, &rng)
            legs = [first, second]
        case .abandoned:
            var leg = inbound(start: start, customer: customer, profile: profile, &rng)
            abandon(&leg, at: queueUp(&leg, in: inboundQueue(&rng), &rng), &rng)
            legs = [leg]
        case .callback:
            legs = agentFirstCallback(start: start, customer: customer, profile: profile, &rng)
        case .customerFirstCallback:
            legs = customerFirstCallback(start: start, customer: customer, profile: profile, &rng)
        case .queueTransfer:
            var first = inbound(start: start, customer: customer, profile: profile, &rng)
            let queue = inboundQueue(&rng)
            let enqueue = queueUp(&first, in: queue, &rng)
            // The customer queue flow moves the caller on after a wait, or at once when the
            // queue is closed or full (a transfer well under the service-level threshold).
            let wait = rng.chance(0.15) ? rng.int64(2...15) : rng.seconds(mean: 150, 30...900)
            let moved = enqueue + wait * 1000
            leaveQueue(&first, at: moved, reason: "CONTACT_FLOW_DISCONNECT", &rng)
            var second = child(of: first, method: "QUEUE_TRANSFER", at: moved, &rng)
            // Connect sets the transfer time on some queue transfers only.
            if rng.chance(0.6) { first.transferCompleted = moved }
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

    /// Agent first: the agent accepts the callback, hears the agent whisper, then Connect
    /// dials the customer. An attempt the customer does not answer is retried in a new
    /// CALLBACK leg (`PreviousContactId` = the failed leg), at most twice, each after the
    /// block's minimum time between attempts.
    private func agentFirstCallback(start: Int64, customer: String, profile: CallerProfile, _ rng: inout SplitMix64) -> [ContactLeg] {
        var legs = [requestCallback(start: start, customer: customer, profile: profile, &rng)]
        // The initial delay of the transfer-to-queue block: the callback is created, then queued.
        var delay = rng.int64(0...150) * 1000
        for attempt in 1...Self.agentFirstAttempts {
            var callback = callbackLeg(after: &legs[legs.count - 1], method: "CALLBACK", &rng)
            let dequeue = queueCallback(&callback, delay: delay, &rng)
            let outcome = CallbackOutcome.allCases[rng.weighted(CallbackOutcome.weights)]
            switch outcome {
            case .answered:
                let customerAnswered = dequeue + rng.int64(5...20) * 1000
                let connected = customerAnswered + rng.int64(5...20) * 1000
                callback.connectedToSystem = customerAnswered
                talk(&callback, agent: pickAgent(&rng), connected: connected, &rng)
                callback.agentConnectionAttempts = 1
            case .notConnected:
                var agent = AgentVisit(agent: pickAgent(&rng))
                callback.disconnect = dequeue + rng.int64(25...60) * 1000
                agent.afterContactWorkStart = callback.disconnect
                agent.afterContactWorkEnd = callback.disconnect + rng.int64(3...30) * 1000
                callback.agent = agent
                callback.agentConnectionAttempts = 1
                callback.disconnectReason = "OTHER"
                callback.lastUpdate = agent.afterContactWorkEnd! + rng.int64(1...30) * 1000
            case .expired:
                callback.disconnect = dequeue
                callback.disconnectReason = "OTHER"
                callback.lastUpdate = dequeue + rng.int64(1...30) * 1000
            }
            legs.append(callback)
            guard outcome == .notConnected, attempt < Self.agentFirstAttempts else { break }
            delay = rng.int64(60...600) * 1000
        }
        return legs
    }

    /// The first attempt and at most two retries ("Maximum number of retries" = 2).
    static let agentFirstAttempts = 3

    /// Customer first: the queued leg waits its turn in the callback queue without an agent,
    /// then hands over to a dialled leg. The customer who answers hears the outbound flow
    /// and is queued again, at the front, for the next agent (no whisper gap); a dial nobody
    /// answers is never queued and is followed by one more dial after a pause.
    private func customerFirstCallback(start: Int64, customer: String, profile: CallerProfile, _ rng: inout SplitMix64) -> [ContactLeg] {
        var legs = [requestCallback(start: start, customer: customer, profile: profile, &rng)]
        var queued = callbackLeg(after: &legs[0], method: "CALLBACK_CUSTOMER_FIRST_QUEUED", &rng)
        let dequeue = queueCallback(&queued, delay: rng.int64(0...150) * 1000, &rng)
        queued.disconnect = dequeue
        queued.disconnectReason = "OTHER"
        queued.lastUpdate = dequeue + rng.int64(1...30) * 1000
        legs.append(queued)
        // Now and then the callback expires in the queue before its turn: nobody is dialled.
        guard !rng.chance(0.03) else { return legs }

        var dial = dequeue
        for attempt in 1...Self.customerFirstDials {
            var dialed = callbackLeg(after: &legs[legs.count - 1], method: "CALLBACK_CUSTOMER_FIRST_DIALED", at: dial, &rng)
            let ringing = rng.int64(5...30) * 1000
            if rng.chance(0.72) {
                dialed.connectedToSystem = dial + ringing
                let enqueue = dial + ringing + rng.int64(5...15) * 1000
                dialed.queue = QueueVisit(queue: center.callbackQueue, enqueue: enqueue, dequeue: nil, duration: nil)
                let connected = enqueue + rng.seconds(mean: 25, 1...300) * 1000
                leaveQueue(&dialed, at: connected, reason: rng.chance(0.55) ? "CUSTOMER_DISCONNECT" : "AGENT_DISCONNECT", &rng)
                talk(&dialed, agent: pickAgent(&rng), connected: connected, &rng)
                dialed.agentConnectionAttempts = 1
                legs.append(dialed)
                break
            }
            // Rang out: like an outbound leg, it names its queue but was never queued.
            dialed.queue = QueueVisit(queue: center.callbackQueue, enqueue: nil, dequeue: nil, duration: 0)
            dialed.disconnect = dial + ringing + rng.int64(15...30) * 1000
            dialed.disconnectReason = "OTHER"
            dialed.lastUpdate = dialed.disconnect + rng.int64(1...30) * 1000
            legs.append(dialed)
            guard attempt < Self.customerFirstDials else { break }
            dial = dialed.disconnect + rng.int64(60...300) * 1000
        }
        return legs
    }

    /// A first dial and one more when it goes unanswered.
    static let customerFirstDials = 2

    /// The inbound leg of a callback request: the customer waits, hears the callback offer
    /// and presses 1; the flow then hangs up.
    private func requestCallback(start: Int64, customer: String, profile: CallerProfile, _ rng: inout SplitMix64) -> ContactLeg {
        var first = inbound(start: start, customer: customer, profile: profile, &rng)
        let enqueue = queueUp(&first, in: inboundQueue(&rng), &rng)
        let requested = enqueue + rng.seconds(mean: 100, 20...600) * 1000
        leaveQueue(&first, at: requested, reason: "CONTACT_FLOW_DISCONNECT", &rng)
        first.setAttribute("callbackNumber", customer)
        first.setAttribute("callbackOffered", "true")
        return first
    }

    /// A callback leg created from `parent` when it ended (or at `time`), linked both ways;
    /// Connect places callbacks from its outbound caller id and reaches the customer later, if at all.
    private func callbackLeg(after parent: inout ContactLeg, method: String, at time: Int64? = nil, _ rng: inout SplitMix64) -> ContactLeg {
        var leg = child(of: parent, method: method, at: time ?? parent.disconnect, &rng)
        parent.nextContactId = leg.contactId
        leg.connectedToSystem = nil
        leg.systemAddress = ContactCenter.outboundCallerId
        return leg
    }

    /// Queues a callback leg in the callback queue `delay` after it was created; returns
    /// the dequeue time. `Queue.Duration` is counted both ways seen in exports: from the
    /// leg's initiation, so it includes the delay (AWS's corrected queued-callback example),
    /// or from the enqueue (the data model's definition).
    private func queueCallback(_ leg: inout ContactLeg, delay: Int64, _ rng: inout SplitMix64) -> Int64 {
        let enqueue = leg.initiation + delay
        let dequeue = enqueue + rng.seconds(mean: 420, 20...3000) * 1000
        var visit = QueueVisit(queue: center.callbackQueue, enqueue: enqueue, dequeue: dequeue, duration: nil)
        visit.duration = (rng.chance(0.6) ? dequeue - leg.initiation : dequeue - enqueue) / 1000
        if rng.chance(0.01) { visit.duration = nil }
        leg.queue = visit
        leg.disconnect = dequeue
        return dequeue
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
        // After a longer wait Connect had sometimes offered the call to an agent who missed it.
        if wait > 30 && rng.chance(0.25) { leg.agentConnectionAttempts = rng.int(1...2) }
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
            visit.agentInitiatedHold = visit.customerHold
        }
        // Connect scores the agent's audio from 1 to 5; a poor score names what lowered it.
        let score = rng.chance(0.9) ? rng.int(400...496) : rng.int(180...399)
        visit.audioQuality = Float(score) / 100
        if score < 400 { visit.qualityIssues = [rng.pick(["HighPacketLoss", "HighRoundTripTime", "HighJitterBuffer"])] }
        if rng.chance(0.02) { leg.potentialDisconnectIssue = rng.pick(["AGENT_CONNECTIVITY_ISSUE", "AGENT_DEVICE_ISSUE"]) }
        if rng.chance(0.06) { leg.caseReference = "https://crm.example.com/cases/CS-\(rng.int(100_000...999_999))" }
        leg.disconnect = connected + (visit.interaction + visit.customerHold) * 1000
        visit.afterContactWorkStart = leg.disconnect
        visit.afterContactWorkEnd = leg.disconnect + rng.seconds(mean: 35, 3...300) * 1000
        leg.agent = visit
        // Recording is switched on per flow; about half the handled calls pass through one that records.
        leg.recorded = rng.chance(0.55)
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
