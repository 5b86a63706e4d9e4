/// The contact attributes a journey's flows set, copied onto each of its legs. Includes
/// the awkward cases real exports carry: keys that differ only by case, and values that
/// a spreadsheet would run as formulas.
struct CallerProfile {
    /// Sorted by key in byte order, as Connect writes them.
    private(set) var attributes: [(key: String, value: String)] = []

    static let formulaValues = ["=HYPERLINK(\"http://example.com\",\"x\")", "+1-555", "@SUM(A1)", "-2+3", "=1+1"]

    init(_ rng: inout SplitMix64) {
        var leg = ContactLeg(contactId: "", initiationMethod: "", initiation: 0, disconnect: 0, customerAddress: "", systemAddress: "")
        let reason = rng.pick(["billing", "order-status", "technical", "sales", "account", "cancel"])
        leg.setAttribute("callReason", reason)
        leg.setAttribute("language", rng.chance(0.12) ? "es-US" : "en-US")
        leg.setAttribute("customerTier", rng.pick(["standard", "standard", "silver", "gold"]))
        leg.setAttribute("accountNumber", String(rng.int(10_000_000...99_999_999)))
        leg.setAttribute("ivrPath", "main>\(reason)>agent")
        leg.setAttribute("greetingPlayed", rng.chance(0.9) ? "true" : "false")
        // Two flows, two spellings: both keys end up in the record (case-sensitive).
        if rng.chance(0.03) { leg.setAttribute("GreetingPlayed", "true") }
        // Free text typed by agents or customers, which CSV export must not let a spreadsheet run.
        if rng.chance(0.02) { leg.setAttribute("customerNote", rng.pick(CallerProfile.formulaValues)) }
        attributes = leg.attributes
    }
}
