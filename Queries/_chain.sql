-- name: _chain
-- description: The journey a leg belongs to, as a timeline (used by `ctrdb chain`; not a report).
-- parameters: :contact_id  any leg of the journey
-- One row per leg in the order the journey went (depth, then start time), with waits,
-- whisper gaps and outcome; `links` names what is missing or wrong around the leg.
WITH target AS (
    SELECT chain_id FROM contacts WHERE contact_id = :contact_id
)
SELECT c.chain_depth AS depth,
       c.contact_id,
       c.initiation_method AS method,
       c.initiation_ts,
       c.queue_name AS queue,
       c.enqueue_ts,
       c.dequeue_ts,
       -- queue_s and the whisper gaps as _legs.sql defines them (SPEC section 4): change both together
       CASE
           WHEN c.queue_duration_s IS NOT NULL THEN c.queue_duration_s
           WHEN c.enqueue_ts IS NOT NULL AND c.dequeue_ts IS NOT NULL THEN unixepoch(c.dequeue_ts) - unixepoch(c.enqueue_ts)
       END AS queue_s,
       CASE WHEN c.initiation_method = 'CALLBACK' THEN unixepoch(c.connected_to_system_ts) - unixepoch(c.dequeue_ts) END AS agent_whisper_s,
       CASE WHEN c.initiation_method = 'CALLBACK' THEN unixepoch(c.connected_to_agent_ts) - unixepoch(c.connected_to_system_ts) END AS outbound_whisper_s,
       c.agent_username AS agent,
       c.connected_to_agent_ts,
       c.disconnect_ts,
       c.outcome,
       NULLIF(TRIM(
           CASE WHEN c.missing_parent = 1 THEN 'parent ' || c.previous_contact_id || ' not loaded; ' ELSE '' END ||
           CASE WHEN c.missing_next = 1 THEN 'next ' || c.next_contact_id || ' not loaded; ' ELSE '' END ||
           CASE WHEN c.in_cycle = 1 THEN 'in a cycle of links; ' ELSE '' END, '; '), '') AS links
FROM contacts c JOIN target t ON c.chain_id = t.chain_id
ORDER BY c.chain_depth, c.initiation_ts, c.contact_id
