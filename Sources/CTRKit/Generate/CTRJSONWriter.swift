/// Serialises a leg as Connect does today: every top-level field present (null when
/// unknown), keys in Connect's alphabetical order, nested objects in their usual shape
/// (the 2025 key set of the real records in the project's fixtures: `ContactAssociationId`,
/// `SegmentAttributes`, `Tags`, `Agent.DeviceInfo`, `QualityMetrics` on legs an agent
/// talked on...), so a record weighs what a real one does (about 2 KB for a call the IVR
/// handled, 3.5-4.5 KB for a recorded agent call) and exercises every field a reader has
/// to skip.
struct CTRJSONWriter {
    private(set) var emitter = JSONEmitter()

    /// The record's bytes, valid until the next call.
    var bytes: [UInt8] { emitter.bytes }

    mutating func write(_ leg: ContactLeg, _ variant: DeliveryVariant, pretty: Bool = false) {
        emitter.reset(pretty: pretty)
        Self.serialize(leg, variant, into: &emitter)
    }

    private static func serialize(_ leg: ContactLeg, _ variant: DeliveryVariant, into e: inout JSONEmitter) {
        var attributes = leg.attributes
        var lastUpdate = leg.lastUpdate
        var early = false
        switch variant {
        case .final:
            break
        case let .early(update):
            lastUpdate = update
            early = true
        case let .lateUpdate(update, key, value):
            lastUpdate = update
            ContactLeg.setAttribute(key, value, in: &attributes)
        case .conflict:
            // Two updates processed within the same second: same timestamp, other content
            // (no leg sets a disposition otherwise).
            ContactLeg.setAttribute("disposition", "follow-up", in: &attributes)
        }

        e.beginObject()
        e.key("AWSAccountId"); e.string(ContactCenter.accountId)
        e.key("AWSContactTraceRecordFormatVersion"); e.string("2017-03-10")
        e.key("Agent"); writeAgent(leg.agent, early: early, into: &e)
        e.key("AgentConnectionAttempts"); e.int(Int64(leg.agentConnectionAttempts))
        e.key("AnsweringMachineDetectionStatus"); e.null()
        e.key("Attributes"); e.beginObject()
        for (key, value) in attributes { e.key(key); e.string(value) }
        e.endObject()
        e.key("Campaign"); e.beginObject(); e.key("CampaignId"); e.null(); e.endObject()
        e.key("Channel"); e.string("VOICE")
        e.key("ConnectedToSystemTimestamp"); e.timestamp(leg.connectedToSystem)
        // Every leg of a journey carries the id of its first leg, the first leg its own.
        e.key("ContactAssociationId"); e.string(leg.initialContactId ?? leg.contactId)
        e.key("ContactDetails"); e.beginObject(); e.endObject()
        e.key("ContactId"); e.string(leg.contactId)
        e.key("CustomerEndpoint"); writeEndpoint(leg.customerAddress, into: &e)
        e.key("CustomerVoiceActivity"); e.null()
        if let issue = leg.potentialDisconnectIssue {
            e.key("DisconnectDetails"); e.beginObject(); e.key("PotentialDisconnectIssue"); e.string(issue); e.endObject()
        }
        e.key("DisconnectReason"); e.string(leg.disconnectReason)
        e.key("DisconnectTimestamp"); e.timestamp(leg.disconnect)
        e.key("InitialContactId"); e.string(leg.initialContactId)
        e.key("InitiationMethod"); e.string(leg.initiationMethod)
        e.key("InitiationTimestamp"); e.timestamp(leg.initiation)
        e.key("InstanceARN"); e.string(ContactCenter.instanceARN)
        e.key("LastUpdateTimestamp"); e.timestamp(lastUpdate)
        e.key("MediaStreams"); e.beginArray(); e.beginObject(); e.key("Type"); e.string("AUDIO"); e.endObject(); e.endArray()
        e.key("NextContactId"); e.string(leg.nextContactId)
        e.key("PreviousContactId"); e.string(leg.previousContactId)
        if let agent = leg.agent, let score = agent.audioQuality {
            e.key("QualityMetrics"); e.beginObject()
            e.key("Agent"); e.beginObject(); e.key("Audio"); e.beginObject()
            e.key("PotentialQualityIssues"); e.beginArray()
            for issue in agent.qualityIssues { e.string(issue) }
            e.endArray()
            e.key("QualityScore"); e.double(Double(score))
            e.endObject(); e.endObject()
            e.endObject()
        }
        e.key("Queue"); writeQueue(leg.queue, into: &e)
        writeRecording(leg, into: &e)
        e.key("References"); e.beginArray()
        if let url = leg.caseReference {
            e.beginObject()
            e.key("Name"); e.string("CRM case")
            e.key("Type"); e.string("URL")
            e.key("Value"); e.string(url)
            e.endObject()
        }
        e.endArray()
        e.key("ScheduledTimestamp"); e.null()
        e.key("SegmentAttributes"); e.beginObject()
        e.key("connect:Subtype"); e.beginObject()
        e.key("ValueArn"); e.null()
        e.key("ValueInteger"); e.null()
        e.key("ValueList"); e.null()
        e.key("ValueMap"); e.null()
        e.key("ValueString"); e.string("connect:Telephony")
        e.endObject()
        e.endObject()
        e.key("SystemEndpoint"); writeEndpoint(leg.systemAddress, into: &e)
        e.key("Tags"); e.beginObject()
        e.key("aws:connect:instanceId"); e.string(ContactCenter.instanceId)
        e.key("aws:connect:systemEndpoint"); e.string(leg.systemAddress)
        e.endObject()
        e.key("TaskTemplateInfo"); e.null()
        e.key("TransferCompletedTimestamp"); e.timestamp(leg.transferCompleted)
        e.key("TransferredToEndpoint")
        switch leg.transferredTo {
        case let .externalNumber(number)?: writeEndpoint(number, into: &e)
        case .insideInstance?: writeEndpoint(nil, into: &e)
        case nil: e.null()
        }
        e.key("VoiceIdResult"); e.null()
        e.endObject()
    }

    private static func writeEndpoint(_ address: String?, into e: inout JSONEmitter) {
        e.beginObject()
        e.key("Address"); e.string(address)
        e.key("Type"); e.string("TELEPHONE_NUMBER")
        e.endObject()
    }

    private static func writeAgent(_ visit: AgentVisit?, early: Bool, into e: inout JSONEmitter) {
        guard let visit else { return e.null() }
        let agent = visit.agent
        e.beginObject()
        e.key("ARN"); e.string(agent.arn)
        // The early copy leaves before after-contact work ends: Connect does not know it yet.
        e.key("AfterContactWorkDuration"); e.int(early ? nil : visit.afterContactWork)
        e.key("AfterContactWorkEndTimestamp"); e.timestamp(early ? nil : visit.afterContactWorkEnd)
        e.key("AfterContactWorkStartTimestamp"); e.timestamp(early ? nil : visit.afterContactWorkStart)
        e.key("AgentInitiatedHoldDuration"); e.int(visit.agentInitiatedHold)
        e.key("AgentInteractionDuration"); e.int(visit.interaction)
        e.key("ConnectedToAgentTimestamp"); e.timestamp(visit.connectedToAgent)
        e.key("CustomerHoldDuration"); e.int(visit.customerHold)
        e.key("DeviceInfo"); e.beginObject()
        e.key("OperatingSystem"); e.string(agent.device.operatingSystem)
        e.key("PlatformName"); e.string(agent.device.platformName)
        e.key("PlatformVersion"); e.string(agent.device.platformVersion)
        e.endObject()
        e.key("HierarchyGroups")
        if let levels = agent.hierarchy {
            e.beginObject()
            for (i, name) in [StaticString("Level1"), "Level2", "Level3", "Level4", "Level5"].enumerated() {
                e.key(name)
                if i < levels.count {
                    e.beginObject()
                    e.key("ARN"); e.string(levels[i].arn)
                    e.key("GroupName"); e.string(levels[i].name)
                    e.endObject()
                } else {
                    e.null()
                }
            }
            e.endObject()
        } else {
            e.null()
        }
        e.key("LongestHoldDuration"); e.int(visit.longestHold)
        e.key("NumberOfHolds"); e.int(Int64(visit.numberOfHolds))
        e.key("RoutingProfile"); e.beginObject()
        e.key("ARN"); e.string(agent.routingProfileARN)
        e.key("Name"); e.string(agent.routingProfile)
        e.endObject()
        e.key("StateTransitions"); e.null()
        e.key("Username"); e.string(agent.username)
        e.endObject()
    }

    private static func writeQueue(_ visit: QueueVisit?, into e: inout JSONEmitter) {
        guard let visit else { return e.null() }
        e.beginObject()
        e.key("ARN"); e.string(visit.queue.arn)
        e.key("DequeueTimestamp"); e.timestamp(visit.dequeue)
        if let duration = visit.duration { e.key("Duration"); e.int(duration) }
        e.key("EnqueueTimestamp"); e.timestamp(visit.enqueue)
        e.key("Name"); e.string(visit.queue.name)
        e.endObject()
    }

    /// `Recording` and `Recordings`; the object path names the contact and the minute the agent connected.
    private static func writeRecording(_ leg: ContactLeg, into e: inout JSONEmitter) {
        guard leg.recorded, let connected = leg.agent?.connectedToAgent else {
            e.key("Recording"); e.null()
            e.key("Recordings"); e.null()
            return
        }
        let t = CivilTime(connected)
        var path = JSONEmitter(capacity: 200)
        path.appendRaw(ContactCenter.recordingBucket)
        path.appendRaw("/"); path.pad(t.year, 4); path.appendRaw("/"); path.pad(t.month, 2); path.appendRaw("/"); path.pad(t.day, 2)
        path.appendRaw("/"); path.appendRaw(leg.contactId); path.appendRaw("_")
        path.pad(t.year, 4); path.pad(t.month, 2); path.pad(t.day, 2); path.appendRaw("T")
        path.pad(t.hour, 2); path.appendRaw(":"); path.pad(t.minute, 2); path.appendRaw("_UTC.wav")
        let text = String(decoding: path.bytes, as: UTF8.self)

        e.key("Recording"); e.beginObject()
        e.key("DeletionReason"); e.null()
        e.key("Location"); e.string(text)
        e.key("Status"); e.string("AVAILABLE")
        e.key("Type"); e.string("AUDIO")
        e.endObject()
        e.key("Recordings"); e.beginArray(); e.beginObject()
        e.key("DeletionReason"); e.null()
        e.key("FragmentStartNumber"); e.null()
        e.key("FragmentStopNumber"); e.null()
        e.key("Location"); e.string(text)
        e.key("MediaStreamType"); e.string("AUDIO")
        e.key("ParticipantType"); e.null()
        e.key("StartTimestamp"); e.null()
        e.key("Status"); e.string("AVAILABLE")
        e.key("StopTimestamp"); e.null()
        e.key("StorageType"); e.string("S3")
        e.endObject(); e.endArray()
    }
}
