-- relation: callback_requests
-- uses: leg, legs
-- description: One row per callback request among `legs`, with its callback legs followed through retries and customer-first dialled legs.
-- parameters: those of _legs.sql
-- A request is a leg with outcome `callback` (SPEC section 4). Its callback legs are its next
-- legs that are callback legs and, again and again, their next legs that are callback legs,
-- where a leg's next legs are the contacts whose previous_contact_id is the leg, else the
-- contact its next_contact_id names. The request is answered when one of them is; its
-- time to agent is the earliest connected_to_agent_ts among them minus the request's
-- enqueue_ts (the customer's real wait); its attempts are how many callback legs it has.
WITH RECURSIVE reached (request_id, contact_id, connected_to_agent_ts) AS (
    SELECT contact_id, contact_id, NULL FROM legs WHERE outcome = 'callback'
    UNION
    -- next legs by previous_contact_id
    SELECT r.request_id, n.contact_id, n.connected_to_agent_ts
    FROM reached r JOIN leg n ON n.previous_contact_id = r.contact_id
    WHERE n.callback_leg = 1
    UNION
    -- else the leg named by next_contact_id, when nothing points back
    SELECT r.request_id, n.contact_id, n.connected_to_agent_ts
    FROM reached r JOIN contacts p ON p.contact_id = r.contact_id JOIN leg n ON n.contact_id = p.next_contact_id
    WHERE n.callback_leg = 1 AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.previous_contact_id = r.contact_id)
),
attempts AS (
    SELECT request_id, COUNT(*) AS attempts, MIN(connected_to_agent_ts) AS first_agent_ts
    FROM reached
    WHERE contact_id <> request_id
    GROUP BY request_id
)
SELECT q.contact_id, q.chain_id, q.queue_name, q.initiation_ts, q.enqueue_ts, q.dequeue_ts, q.disconnect_ts,
       q.bucket_ts, q.interval_key,
       a.first_agent_ts IS NOT NULL AS answered,
       a.first_agent_ts,
       unixepoch(a.first_agent_ts) - unixepoch(q.enqueue_ts) AS time_to_agent_s,
       a.attempts
FROM legs q JOIN attempts a ON a.request_id = q.contact_id
WHERE q.outcome = 'callback'
