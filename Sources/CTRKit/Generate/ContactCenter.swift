/// The synthetic Amazon Connect instance: its queues, agents, routing profiles and
/// numbers. Fixed, so every run (whatever the seed) describes the same contact centre and
/// reports over several runs line up.
struct ContactCenter {
    static let accountId = "123456789012"
    static let instanceId = "7f3c2a10-5b1e-4d8a-9c61-2e4b8d0a6f35"
    static let instanceARN = "arn:aws:connect:us-east-1:123456789012:instance/\(instanceId)"
    static let recordingBucket = "amazon-connect-3f9a1c7e2b40/connect/ctrdb-demo/CallRecordings"
    /// The dialled numbers (`SystemEndpoint`) and the caller id used for callbacks and outbound calls.
    static let inboundNumbers = ["+18005550100", "+18005550123", "+18885550142"]
    static let outboundCallerId = "+18005550199"
    /// Local time of the contact centre for the daily curve: a fixed UTC-5 (US Eastern
    /// standard time), so the curve never shifts across a daylight-saving change.
    static let localOffsetHours = -5

    let queues: [QueueProfile]
    let callbackQueue: QueueProfile
    let agents: [AgentProfile]

    init() {
        func queue(_ name: String, _ id: String) -> QueueProfile {
            QueueProfile(name: name, arn: "\(ContactCenter.instanceARN)/queue/\(id)")
        }
        queues = [
            queue("Billing", "0b6d2f4e-81a3-4c57-9e0d-5a1f7c3b9e21"),
            queue("Sales", "1c7e3a5f-92b4-4d68-8f1e-6b2a8d4c0f32"),
            queue("Support", "2d8f4b6a-a3c5-4e79-9a2f-7c3b9e5d1a43"),
            queue("Tech Support", "3e9a5c7b-b4d6-4f8a-8b3a-8d4cae6f2b54"),
        ]
        callbackQueue = queue("CallbackQueue", "4fab6d8c-c5e7-4a9b-9c4b-9e5dbf7a3c65")

        func arn(_ kind: String, _ n: Int) -> String {
            let hex = String(n, radix: 16)
            return "\(ContactCenter.instanceARN)/\(kind)/5a1e9c3d-7b2f-4e6a-8d0c-\(String(repeating: "0", count: 12 - hex.count))\(hex)"
        }
        let profiles = ["Billing Profile", "Sales Profile", "Support Profile", "Basic Routing Profile"]
        let sites = ["Dallas", "Toronto", "Manila"]
        let first = ["maria", "james", "aisha", "chen", "olga", "diego", "priya", "tom", "fatima", "lukas",
                     "sara", "kenji", "amara", "noah", "elena", "ravi", "zoe", "omar", "ines", "mateo"]
        let last = ["garcia", "smith", "khan", "wei", "petrova", "lopez", "nair", "baker", "haddad", "weber",
                    "jones", "sato", "okafor", "brown", "rossi", "patel", "martin", "ali", "costa", "silva"]
        // Agents work in the browser softphone; Connect reports the browser and system it saw.
        let devices = [
            AgentDevice(operatingSystem: "Windows 10", platformName: "Chrome", platformVersion: "130"),
            AgentDevice(operatingSystem: "Windows 10", platformName: "Edge", platformVersion: "129"),
            AgentDevice(operatingSystem: "Mac OS X", platformName: "Chrome", platformVersion: "131"),
            AgentDevice(operatingSystem: "Windows 10", platformName: "Firefox", platformVersion: "132"),
        ]
        var agents: [AgentProfile] = []
        for i in 0..<first.count {
            let profile = profiles[i % profiles.count]
            let site = sites[i % sites.count]
            // Half the agents were never placed in the hierarchy: their HierarchyGroups is null.
            let hierarchy: [HierarchyLevel]? = i % 2 != 0 ? nil : [
                HierarchyLevel(name: site, arn: arn("agent-group", 0x200 + i % sites.count)),
                HierarchyLevel(name: "\(site) \(profile.split(separator: " ")[0]) Team", arn: arn("agent-group", 0x300 + i % 12)),
            ]
            agents.append(AgentProfile(
                username: "\(first[i]).\(last[i])", arn: arn("agent", i + 1),
                routingProfile: profile, routingProfileARN: arn("routing-profile", 0x10 + i % profiles.count),
                hierarchy: hierarchy, device: devices[i * 7 % devices.count]))
        }
        self.agents = agents
    }
}

struct QueueProfile {
    var name: String
    var arn: String
}

struct HierarchyLevel {
    var name: String
    var arn: String
}

struct AgentProfile {
    var username: String
    var arn: String
    var routingProfile: String
    var routingProfileARN: String
    /// Levels 1-2 (site, team); levels 3 to 5 are null, as in the real records. Nil writes `"HierarchyGroups":null`.
    var hierarchy: [HierarchyLevel]?
    /// `Agent.DeviceInfo`.
    var device: AgentDevice
}

struct AgentDevice {
    var operatingSystem: String
    var platformName: String
    var platformVersion: String
}
