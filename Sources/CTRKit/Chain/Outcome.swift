/// What became of a queued leg (SPEC section 4), with the text values the database stores
/// in `contacts.outcome` and the reports compare against.
public enum Outcome: String, CaseIterable, Sendable {
    /// Reached an agent.
    case answered
    /// Not a callback leg, and a next leg is a callback leg: the customer asked for a callback
    /// (a callback request).
    case callback
    /// A callback leg whose next leg is a callback leg: an agent-first retry, or a
    /// customer-first callback's queued leg handing over to its dialled leg. Neither an
    /// abandon nor a new request.
    case callbackRetry = "callback_retry"
    /// A next leg of another method exists, or `TransferCompletedTimestamp` is set.
    case transfer
    /// `NextContactId` names a leg that is not loaded (yet).
    case unresolved
    /// None of the above: Amazon Connect's "contacts abandoned".
    case abandoned
}
