#!/usr/bin/env python3
"""Writes flows.ndjson and later.ndjson: hand-made legs of documented Amazon Connect flows
(README, "Metric glossary"; ConnectFlowTests asserts their figures). Run it here to remake them."""
import json

DAY = "2024-04-02T"
ARN = "arn:aws:connect:us-east-1:123456789012:instance/flows"

def leg(cid, method, init, disconnect, queue=None, enq=None, deq=None, dur=None, system=None, agent=None,
        prev=None, nxt=None, initial=None, transfer=None, agent_name=None):
    r = {"AWSAccountId": "123456789012", "AWSContactTraceRecordFormatVersion": "2017-03-10", "ContactId": cid,
         "Channel": "VOICE", "InitiationMethod": method, "InitiationTimestamp": DAY + init, "InstanceARN": ARN,
         "DisconnectTimestamp": DAY + disconnect, "LastUpdateTimestamp": DAY + disconnect, "Attributes": {}}
    if system: r["ConnectedToSystemTimestamp"] = DAY + system
    if prev: r["PreviousContactId"] = prev
    if nxt: r["NextContactId"] = nxt
    if initial: r["InitialContactId"] = initial
    if transfer: r["TransferCompletedTimestamp"] = DAY + transfer
    if queue:
        q = {"Name": queue, "ARN": ARN + "/queue/" + queue}
        if enq: q["EnqueueTimestamp"] = DAY + enq
        if deq: q["DequeueTimestamp"] = DAY + deq
        if dur is not None: q["Duration"] = dur
        r["Queue"] = q
    if agent or agent_name:
        a = {"Username": agent_name or "agent"}
        if agent: a["ConnectedToAgentTimestamp"] = DAY + agent
        r["Agent"] = a
    return r

flows = [
    # A: agent-first callback, one retry: the first callback leg's customer did not answer
    leg("A-in", "INBOUND", "09:00:00Z", "09:01:10Z", "Sales", "09:00:10Z", "09:01:10Z", 60, system="09:00:00Z", nxt="A-cb1"),
    # Queue.Duration counts the initial delay (dequeue - initiation = 530; dequeue - enqueue = 470)
    leg("A-cb1", "CALLBACK", "09:01:10Z", "09:11:00Z", "Callbacks", "09:02:10Z", "09:10:00Z", 530, prev="A-in", initial="A-in", agent_name="agent.a"),
    leg("A-cb2", "CALLBACK", "09:11:00Z", "09:25:00Z", "Callbacks", "09:16:00Z", "09:20:00Z", 240, system="09:20:08Z", agent="09:20:20Z",
        prev="A-cb1", initial="A-in"),
    # B: agent-first callback, two retries
    leg("B-in", "INBOUND", "10:00:00Z", "10:00:35Z", "Sales", "10:00:05Z", "10:00:35Z", 30, system="10:00:00Z", nxt="B-cb1"),
    leg("B-cb1", "CALLBACK", "10:00:35Z", "10:05:40Z", "Callbacks", "10:01:35Z", "10:05:00Z", 205, prev="B-in", initial="B-in", agent_name="agent.b"),
    leg("B-cb2", "CALLBACK", "10:05:40Z", "10:12:40Z", "Callbacks", "10:10:40Z", "10:12:00Z", 80, prev="B-cb1", initial="B-in", agent_name="agent.b"),
    leg("B-cb3", "CALLBACK", "10:12:40Z", "10:30:00Z", "Callbacks", "10:17:40Z", "10:20:00Z", 140, system="10:20:05Z", agent="10:20:15Z",
        prev="B-cb2", initial="B-in"),
    # C: customer-first callback answered at the first dial
    leg("C-in", "INBOUND", "11:00:00Z", "11:00:40Z", "Sales", "11:00:10Z", "11:00:40Z", 30, system="11:00:00Z", nxt="C-q"),
    leg("C-q", "CALLBACK_CUSTOMER_FIRST_QUEUED", "11:00:40Z", "11:06:40Z", "Callbacks", "11:00:40Z", "11:06:40Z", 360, prev="C-in",
        initial="C-in", nxt="C-d"),
    leg("C-d", "CALLBACK_CUSTOMER_FIRST_DIALED", "11:06:40Z", "11:15:00Z", "Callbacks", "11:06:50Z", "11:07:20Z", 30, system="11:06:50Z",
        agent="11:07:20Z", prev="C-q", initial="C-in"),
    # D: customer-first callback answered after a second dial (the first dial was not answered, never queued)
    leg("D-in", "INBOUND", "12:00:00Z", "12:00:25Z", "Sales", "12:00:05Z", "12:00:25Z", 20, system="12:00:00Z", nxt="D-q"),
    leg("D-q", "CALLBACK_CUSTOMER_FIRST_QUEUED", "12:00:25Z", "12:04:25Z", "Callbacks", "12:00:25Z", "12:04:25Z", 240, prev="D-in",
        initial="D-in", nxt="D-d1"),
    leg("D-d1", "CALLBACK_CUSTOMER_FIRST_DIALED", "12:04:25Z", "12:05:00Z", prev="D-q", initial="D-in"),
    leg("D-d2", "CALLBACK_CUSTOMER_FIRST_DIALED", "12:10:00Z", "12:20:00Z", "Callbacks", "12:10:10Z", "12:10:25Z", 15, system="12:10:10Z",
        agent="12:10:25Z", prev="D-d1", initial="D-in"),
    # E: customer-first callback never answered
    leg("E-in", "INBOUND", "13:00:00Z", "13:00:15Z", "Sales", "13:00:05Z", "13:00:15Z", 10, system="13:00:00Z", nxt="E-q"),
    leg("E-q", "CALLBACK_CUSTOMER_FIRST_QUEUED", "13:00:15Z", "13:30:15Z", "Callbacks", "13:00:15Z", "13:30:15Z", 1800, prev="E-in",
        initial="E-in", nxt="E-d1"),
    leg("E-d1", "CALLBACK_CUSTOMER_FIRST_DIALED", "13:30:15Z", "13:31:00Z", prev="E-q", initial="E-in"),
    # F: a queue transfer under the service-level threshold, its next leg answered in Support
    leg("F-in", "INBOUND", "14:00:00Z", "14:00:10Z", "Sales", "14:00:02Z", "14:00:10Z", 8, system="14:00:00Z", nxt="F-tx", transfer="14:00:10Z"),
    leg("F-tx", "QUEUE_TRANSFER", "14:00:10Z", "14:05:00Z", "Support", "14:00:10Z", "14:00:40Z", 30, system="14:00:10Z", agent="14:00:40Z",
        prev="F-in", initial="F-in"),
    # G: TransferCompletedTimestamp set, its next leg not in this export (later.ndjson brings it)
    leg("G-in", "INBOUND", "15:00:00Z", "15:00:20Z", "Sales", "15:00:05Z", "15:00:20Z", 15, system="15:00:00Z", nxt="G-tx", transfer="15:00:20Z"),
    # H: an abandon within the short-abandon threshold, and an answered leg whose Queue.Duration
    # (15) disagrees with its timestamps (12): a duration mismatch
    leg("H-ab", "INBOUND", "16:00:00Z", "16:00:03Z", "Sales", "16:00:00Z", "16:00:03Z", 3, system="16:00:00Z"),
    leg("H-ans", "INBOUND", "16:10:00Z", "16:15:00Z", "Sales", "16:10:00Z", "16:10:12Z", 15, system="16:10:00Z", agent="16:10:12Z"),
]
later = [
    leg("G-tx", "QUEUE_TRANSFER", "15:00:20Z", "15:10:00Z", "Support", "15:00:20Z", "15:01:20Z", 60, system="15:00:20Z", agent="15:01:20Z",
        prev="G-in", initial="G-in"),
]
for name, legs in [("flows.ndjson", flows), ("later.ndjson", later)]:
    with open(name, "w") as f:
        for r in legs:
            f.write(json.dumps(r, sort_keys=True) + "\n")
