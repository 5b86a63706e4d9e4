-- name: _chain
-- description: The journey a leg belongs to, as a timeline (used by `ctrdb chain`; not a report).
-- parameters: :contact_id  any leg of the journey
-- One row per leg in the order the journey went (depth, then start time), with waits,
-- whisper gaps and outcome as _leg.sql defines them; `links` names what is missing or
-- wrong around the leg.
SELECT l.chain_depth AS depth,
       l.contact_id,
       l.initiation_method AS method,
       l.initiation_ts,
       l.queue_name AS queue,
       l.enqueue_ts,
       l.dequeue_ts,
       l.queue_s,
       l.agent_whisper_s,
       l.outbound_whisper_s,
       l.agent_username AS agent,
       l.connected_to_agent_ts,
       l.disconnect_ts,
       l.outcome,
       NULLIF(TRIM(
           CASE WHEN l.missing_parent = 1 THEN 'parent ' || l.previous_contact_id || ' not loaded; ' ELSE '' END ||
           CASE WHEN l.missing_next = 1 THEN 'next ' || l.next_contact_id || ' not loaded; ' ELSE '' END ||
           CASE WHEN l.in_cycle = 1 THEN 'in a cycle of links; ' ELSE '' END, '; '), '') AS links
FROM leg l
-- (the legs of a chain as JourneyStore.legs writes them, so that both indexes answer: see README, Schema)
WHERE (l.contact_id = (SELECT chain_id FROM contacts WHERE contact_id = :contact_id)
       AND l.chain_id = (SELECT chain_id FROM contacts WHERE contact_id = :contact_id))
   OR (l.chain_id = (SELECT chain_id FROM contacts WHERE contact_id = :contact_id) AND l.chain_id <> l.contact_id)
ORDER BY l.chain_depth, l.initiation_ts, l.contact_id
