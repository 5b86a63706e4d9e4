-- relation: leg
-- materialize: never
-- description: Every leg (a row of contacts) with the derived values of SPEC section 4, defined here once.
-- parameters: none
-- Every report (through _legs.sql), the callback requests (_callback_requests.sql) and
-- `ctrdb chain` (_chain.sql) read queue_s, the whisper gaps and what a callback leg is from
-- here; nothing else defines them. The columns are listed rather than `c.*` so that a
-- relation SQLite materialises or sorts does not carry attributes_json.
SELECT c.contact_id, c.instance_arn, c.channel, c.initiation_method, c.initiation_ts, c.connected_to_system_ts,
       c.disconnect_ts, c.last_update_ts, c.disconnect_reason, c.previous_contact_id, c.next_contact_id,
       c.initial_contact_id, c.related_contact_id, c.queue_name, c.queue_arn, c.enqueue_ts, c.dequeue_ts,
       c.queue_duration_s, c.agent_username, c.agent_arn, c.connected_to_agent_ts, c.agent_interaction_s,
       c.customer_hold_s, c.number_of_holds, c.longest_hold_s, c.acw_s, c.routing_profile, c.customer_address,
       c.system_address, c.transfer_completed_ts, c.chain_id, c.chain_depth, c.outcome,
       c.missing_parent, c.missing_next, c.in_cycle,
       -- conflicting_versions: two versions of this leg share a LastUpdateTimestamp (the load
       -- keeps conflicting_legs, keyed by the leg's rowid: a lookup per leg, whatever the history)
       EXISTS (SELECT 1 FROM conflicting_legs k WHERE k.leg_id = c.rowid) AS conflicting_versions,
       -- queued: EnqueueTimestamp set (an outbound leg's Queue without one is not queued)
       c.enqueue_ts IS NOT NULL AS queued,
       -- answered: reached an agent
       c.connected_to_agent_ts IS NOT NULL AS answered,
       -- a callback leg: agent-first CALLBACK, or customer-first CALLBACK_CUSTOMER_FIRST_QUEUED / _DIALED
       COALESCE(substr(c.initiation_method, 1, 8) = 'CALLBACK', 0) AS callback_leg,
       -- queue_s: Queue.Duration as delivered, else dequeue - enqueue, else null
       CASE
           WHEN c.queue_duration_s IS NOT NULL THEN c.queue_duration_s
           WHEN c.enqueue_ts IS NOT NULL AND c.dequeue_ts IS NOT NULL THEN unixepoch(c.dequeue_ts) - unixepoch(c.enqueue_ts)
       END AS queue_s,
       -- whisper gaps of agent-first callback legs (a customer-first callback reaches the
       -- customer before the agent: no gap); null when a timestamp is missing
       CASE WHEN c.initiation_method = 'CALLBACK' THEN unixepoch(c.connected_to_system_ts) - unixepoch(c.dequeue_ts) END AS agent_whisper_s,
       CASE WHEN c.initiation_method = 'CALLBACK' THEN unixepoch(c.connected_to_agent_ts) - unixepoch(c.connected_to_system_ts) END AS outbound_whisper_s
FROM contacts c
