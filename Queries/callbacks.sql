-- name: callbacks
-- description: Callback requests per interval and originating queue: how many were answered, and the customer's real wait.
-- parameters: none beyond the common ones
-- One row per originating queue: legs whose outcome is `callback`, placed by the originating
-- leg. The callback legs of a request are its next legs whose initiation_method starts with
-- CALLBACK, and their own CALLBACK descendants (customer-first callbacks and retries).
-- A request is answered when one of them reached an agent; avg_time_to_agent_s is the first
-- such connected_to_agent_ts minus the originating leg's enqueue_ts, over answered requests.
WITH RECURSIVE requests AS (
    SELECT contact_id, interval_key, queue_name, enqueue_ts, next_contact_id
    FROM legs
    WHERE outcome = 'callback'
),
callback_legs (request_id, contact_id, connected_to_agent_ts) AS (
    SELECT r.contact_id, n.contact_id, n.connected_to_agent_ts
    FROM requests r
    JOIN contacts n ON n.initiation_method LIKE 'CALLBACK%'
        AND (n.previous_contact_id = r.contact_id
             OR (n.contact_id = r.next_contact_id
                 AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.previous_contact_id = r.contact_id)))
    UNION
    SELECT cl.request_id, d.contact_id, d.connected_to_agent_ts
    FROM callback_legs cl
    JOIN contacts d ON d.previous_contact_id = cl.contact_id AND d.initiation_method LIKE 'CALLBACK%'
),
answered AS (
    SELECT request_id, MIN(connected_to_agent_ts) AS first_agent_ts
    FROM callback_legs
    WHERE connected_to_agent_ts IS NOT NULL
    GROUP BY request_id
)
SELECT ctr_interval_label(r.interval_key, :interval, :tz, :total_start) AS interval_start,
       r.queue_name AS queue,
       COUNT(*) AS callbacks_requested,
       COUNT(a.request_id) AS callbacks_answered,
       ctr_ratio(100 * COUNT(a.request_id), COUNT(*)) AS callback_answer_rate_pct,
       ctr_ratio(SUM(unixepoch(a.first_agent_ts) - unixepoch(r.enqueue_ts)),
                 COUNT(unixepoch(a.first_agent_ts) - unixepoch(r.enqueue_ts))) AS avg_time_to_agent_s
FROM requests r
LEFT JOIN answered a ON a.request_id = r.contact_id
GROUP BY r.interval_key, r.queue_name
ORDER BY r.interval_key, r.queue_name
