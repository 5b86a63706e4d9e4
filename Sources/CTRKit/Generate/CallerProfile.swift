/// The contact attributes a journey's flows set, copied onto each of its legs. Includes
/// the awkward cases real exports carry: keys that differ only by case, and values that
/// a spreadsheet would run as formulas.
struct CallerProfile {
    /// Sorted by key in byte order, as Connect writes them.
    private(set) var attributes: [(key: String, value: String)] = []

    static let formulaValues = ["=HYPERLINK(\"http://example.com\",\"x\")", "+1-555", "@SUM(A1)", "-2+3", "=1+1"]

    init(_ rng: inout SplitMix64) {
        func set(_ key: String, _ value: String) { ContactLeg.setAttribute(key, value, in: &attributes) }
        let reasons = ["billing", "order-status", "technical", "sales", "account", "cancel"]
        let intents = ["PayBill", "CheckOrderStatus", "ReportTechnicalIssue", "NewPurchase", "UpdateAccount", "CancelService"]
        let r = rng.int(0...(reasons.count - 1))
        let reason = reasons[r]
        set("callReason", reason)
        // What the Lex bot in the entry flow understood, and how sure it was.
        set("lexIntent", intents[r])
        set("lexConfidence", "0.\(rng.int(55...99))")
        set("entryPoint", rng.pick(["main-line", "main-line", "billing-line", "sales-line"]))
        set("contactFlowVersion", "v\(rng.int(40...43))")
        set("authenticated", rng.chance(0.6) ? "true" : "false")
        set("crmCustomerId", "CUST-\(rng.int(1_000_000...9_999_999))")
        set("afterHours", "false")
        set("surveyOptIn", rng.chance(0.35) ? "Y" : "N")
        set("language", rng.chance(0.12) ? "es-US" : "en-US")
        set("customerTier", rng.pick(["standard", "standard", "silver", "gold"]))
        set("accountNumber", String(rng.int(10_000_000...99_999_999)))
        set("ivrPath", "main>\(reason)>agent")
        set("greetingPlayed", rng.chance(0.9) ? "true" : "false")
        // Two flows, two spellings: both keys end up in the record (case-sensitive).
        if rng.chance(0.03) { set("GreetingPlayed", "true") }
        // Free text typed by agents or customers, which CSV export must not let a spreadsheet run.
        if rng.chance(0.02) { set("customerNote", rng.pick(CallerProfile.formulaValues)) }
    }
}
