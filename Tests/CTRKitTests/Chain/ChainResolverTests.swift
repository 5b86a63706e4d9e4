import Foundation
import GRDB
import Testing
@testable import CTRKit

@Suite struct ChainResolverTests {
    typealias Leg = ChainResolver.Leg

    private func leg(_ id: String, previous: String? = nil, next: String? = nil, initial: String? = nil,
                     method: String = "INBOUND", queued: Bool = true, answered: Bool = false, transferCompleted: Bool = false) -> Leg {
        Leg(id: id, previous: previous, next: next, initial: initial, method: method, queued: queued, answered: answered,
            transferCompleted: transferCompleted)
    }

    private func resolve(_ legs: [Leg]) -> [String: ChainResolver.Resolution] {
        ChainResolver.resolve(Dictionary(uniqueKeysWithValues: legs.map { ($0.id, $0) }))
    }

    @Test func seedExample() {
        let r = resolve([
            leg(Fixture.ctr1, next: Fixture.ctr2),
            leg(Fixture.ctr2, previous: Fixture.ctr1, initial: Fixture.ctr1, method: "CALLBACK", answered: true),
        ])
        #expect(r[Fixture.ctr1]?.outcome == .callback)
        #expect(r[Fixture.ctr2]?.outcome == .answered)
        #expect(r[Fixture.ctr1]?.chainId == Fixture.ctr1)
        #expect(r[Fixture.ctr2]?.chainId == Fixture.ctr1)
        #expect(r[Fixture.ctr1]?.depth == 0)
        #expect(r[Fixture.ctr2]?.depth == 1)
        #expect(r.values.allSatisfy { !$0.missingParent && !$0.missingNext && !$0.inCycle })
    }

    @Test func callbackFoundThroughNextContactIdAlone() {
        // The callback leg does not point back: NextContactId is the only link.
        let r = resolve([leg("a", next: "b"), leg("b", method: "CALLBACK", answered: true)])
        #expect(r["a"]?.outcome == .callback)
        #expect(r["b"]?.chainId == "b", "chains follow PreviousContactId only")
    }

    @Test func transfer() {
        let r = resolve([leg("a", next: "b"), leg("b", previous: "a", initial: "a", method: "TRANSFER", answered: true)])
        #expect(r["a"]?.outcome == .transfer)
        #expect(r["b"]?.outcome == .answered)
        let q = resolve([leg("a"), leg("b", previous: "a", method: "QUEUE_TRANSFER")])
        #expect(q["a"]?.outcome == .transfer, "a child pointing back is a next leg even without NextContactId")
        #expect(q["b"]?.outcome == .abandoned)
    }

    @Test func answeredWinsOverEverything() {
        let r = resolve([leg("a", next: "b", answered: true), leg("b", previous: "a", method: "CALLBACK")])
        #expect(r["a"]?.outcome == .answered)
    }

    @Test func unresolvedWhenTheNamedNextLegIsNotLoaded() {
        let r = resolve([leg("a", next: "missing")])
        #expect(r["a"]?.outcome == .unresolved)
        #expect(r["a"]?.missingNext == true)
    }

    @Test func abandoned() {
        let r = resolve([leg("a")])
        #expect(r["a"]?.outcome == .abandoned)
        #expect(r["a"]?.chainId == "a")
        #expect(r["a"]?.depth == 0)
        // A callback leg that never reached the customer is abandoned in the callback queue.
        let cb = resolve([leg("a", next: "b"), leg("b", previous: "a", method: "CALLBACK")])
        #expect(cb["b"]?.outcome == .abandoned)
        #expect(cb["a"]?.outcome == .callback)
    }

    @Test func notQueuedHasNoOutcome() {
        let r = resolve([leg("a", next: "b", queued: false, answered: true), leg("b", previous: "a", method: "TRANSFER", queued: false)])
        #expect(r["a"]?.outcome == nil)
        #expect(r["b"]?.outcome == nil)
        #expect(r["b"]?.chainId == "a")
    }

    @Test func missingParentIsTheTop() {
        let r = resolve([leg("child", previous: "gone"), leg("grandchild", previous: "child")])
        #expect(r["child"]?.chainId == "gone")
        #expect(r["child"]?.depth == 1)
        #expect(r["child"]?.missingParent == true)
        #expect(r["grandchild"]?.chainId == "gone")
        #expect(r["grandchild"]?.depth == 2)
        #expect(r["grandchild"]?.missingParent == false)
    }

    @Test func initialContactIdWins() {
        let r = resolve([leg("b", previous: "a", initial: "root"), leg("a")])
        #expect(r["b"]?.chainId == "root")
        #expect(r["b"]?.depth == 1)
        #expect(r["a"]?.chainId == "a")
        let missing = resolve([leg("c", previous: "gone", initial: "first")])
        #expect(missing["c"]?.chainId == "first")
    }

    @Test func cycleIsBrokenDeterministicallyAndFlagged() {
        let legs = [leg("m", previous: "z"), leg("z", previous: "k"), leg("k", previous: "m"), leg("tail", previous: "z")]
        let reference = resolve(legs)
        #expect(Set(["m", "z", "k"].compactMap { reference[$0]?.chainId }).count == 1)
        #expect(reference["k"]?.chainId == "k", "the cycle is cut at its smallest id")
        #expect(reference["k"]?.depth == 0)
        #expect(reference["z"]?.depth == 1)
        #expect(reference["m"]?.depth == 2)
        #expect(reference["tail"]?.depth == 2)
        #expect(reference["tail"]?.chainId == "k")
        #expect(["m", "z", "k"].allSatisfy { reference[$0]?.inCycle == true })
        #expect(reference["tail"]?.inCycle == false)
        // Whatever order the legs come in, the result is the same.
        for order in permutations(legs) {
            var dictionary: [String: Leg] = [:]
            for l in order { dictionary[l.id] = l }
            #expect(ChainResolver.resolve(dictionary) == reference)
        }
    }

    @Test func selfLoopIsACycle() {
        let r = resolve([leg("a", previous: "a")])
        #expect(r["a"]?.inCycle == true)
        #expect(r["a"]?.chainId == "a")
        #expect(r["a"]?.depth == 0)
    }

    @Test func customerFirstCallbackChain() {
        let r = resolve([
            leg("c1", next: "c2"),
            leg("c2", previous: "c1", next: "c3", initial: "c1", method: "CALLBACK_CUSTOMER_FIRST_QUEUED"),
            leg("c3", previous: "c2", initial: "c1", method: "CALLBACK_CUSTOMER_FIRST_DIALED", queued: false, answered: true),
        ])
        #expect(r["c1"]?.outcome == .callback)
        #expect(r["c2"]?.outcome == .callbackRetry, "the queued leg hands over to its dialled leg: not a second request")
        #expect(r["c3"]?.outcome == nil)
        #expect(Set(r.values.map(\.chainId)) == ["c1"])
        #expect(r["c3"]?.depth == 2)
    }

    @Test func childrenWinOverNextContactId() {
        // NextContactId names only the last consult; the children that point back are the next legs.
        let r = resolve([leg("a", next: "t2"), leg("cb", previous: "a", method: "CALLBACK"), leg("t2", method: "TRANSFER")])
        #expect(r["a"]?.outcome == .callback)
    }

    /// Property: shuffling which legs a group is given in never changes the result.
    @Test func resultDoesNotDependOnInputOrder() {
        var generator = SplitMix64(seed: 99)
        var legs: [Leg] = []
        for i in 0..<30 {
            let parent = i > 0 && i % 4 != 0 ? "L\(Int.random(in: 0..<i, using: &generator))" : (i % 8 == 0 ? "ghost\(i)" : nil)
            legs.append(leg("L\(i)", previous: parent, next: i % 5 == 0 ? "L\(i + 1)" : nil,
                            method: ["INBOUND", "TRANSFER", "CALLBACK", "QUEUE_TRANSFER"][i % 4], queued: i % 3 != 0, answered: i % 7 == 0))
        }
        let reference = resolve(legs)
        for _ in 0..<20 {
            legs.shuffle(using: &generator)
            var dictionary: [String: Leg] = [:]
            for l in legs { dictionary[l.id] = l }
            #expect(ChainResolver.resolve(dictionary) == reference)
        }
    }

    @Test func agentFirstRetriesAreNotRequests() {
        let r = resolve([
            leg("in", next: "cb1"),
            leg("cb1", previous: "in", next: "cb2", method: "CALLBACK"),
            leg("cb2", previous: "cb1", next: "cb3", method: "CALLBACK"),
            leg("cb3", previous: "cb2", method: "CALLBACK", answered: true),
        ])
        #expect(r["in"]?.outcome == .callback)
        #expect(r["cb1"]?.outcome == .callbackRetry)
        #expect(r["cb2"]?.outcome == .callbackRetry)
        #expect(r["cb3"]?.outcome == .answered)
    }

    @Test func lastUnansweredCallbackLegIsAbandonedInTheCallbackQueue() {
        let r = resolve([leg("in", next: "cb1"), leg("cb1", previous: "in", next: "cb2", method: "CALLBACK"),
                         leg("cb2", previous: "cb1", method: "CALLBACK")])
        #expect(r["cb1"]?.outcome == .callbackRetry)
        #expect(r["cb2"]?.outcome == .abandoned)
    }

    @Test func transferCompletedIsATransferEvenWithoutItsNextLeg() {
        #expect(resolve([leg("a", next: "gone", transferCompleted: true)])["a"]?.outcome == .transfer)
        #expect(resolve([leg("a", transferCompleted: true)])["a"]?.outcome == .transfer)
        #expect(resolve([leg("a", next: "gone")])["a"]?.outcome == .unresolved)
        // a callback next leg still makes it a request
        #expect(resolve([leg("a", next: "cb", transferCompleted: true), leg("cb", previous: "a", method: "CALLBACK")])["a"]?.outcome == .callback)
    }

    @Test func outcomeTextsAreSPECs() {
        #expect(Outcome.allCases.map(\.rawValue) == ["answered", "callback", "callback_retry", "transfer", "unresolved", "abandoned"])
    }
}
