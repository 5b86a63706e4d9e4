-- name: _legs
-- description: The legs every report reads (not a report itself: the leading underscore).
-- ctrdb runs each report as `WITH legs AS (<this query>) <the report>`.
-- parameters:
--   :by        which timestamp places a leg in an interval: disconnect, enqueue or initiation
--   :interval  15m, 30m, 1h, 1d, 1w or total;  :tz  the IANA time zone of the intervals
--   :from :to  the report's range as UTC text (inclusive, exclusive), or null
--   :queues    a JSON array of queue names to keep, or null for all
-- interval_key is the interval's start in epoch seconds; a report groups by it and shows
-- ctr_interval_label(interval_key, :interval, :tz, :total_start) as interval_start, so the
-- label is made once per row of output rather than once per leg.
SELECT l.*,
       ctr_interval_key(l.bucket_ts, :interval, :tz) AS interval_key
FROM (
    -- The columns reports use; a report that needs another joins contacts on contact_id.
    -- (Fewer columns keep the relation small where SQLite materialises or sorts it.)
    SELECT c.contact_id, c.channel, c.initiation_method, c.initiation_ts, c.connected_to_system_ts,
           c.disconnect_ts, c.previous_contact_id, c.next_contact_id, c.initial_contact_id,
           c.queue_name, c.enqueue_ts, c.dequeue_ts, c.queue_duration_s, c.agent_username,
           c.connected_to_agent_ts, c.chain_id, c.chain_depth, c.outcome,
           c.missing_parent, c.missing_next, c.in_cycle,
           -- a leg whose chosen timestamp is null falls back to its initiation_ts (SPEC section 1)
           COALESCE(CASE :by WHEN 'enqueue' THEN c.enqueue_ts WHEN 'initiation' THEN c.initiation_ts ELSE c.disconnect_ts END,
                    c.initiation_ts) AS bucket_ts,
           -- SPEC section 4: Queue.Duration as delivered, else dequeue - enqueue, else null
           -- (_chain.sql repeats this and the whisper gaps for `ctrdb chain`: change both together)
           CASE
               WHEN c.queue_duration_s IS NOT NULL THEN c.queue_duration_s
               WHEN c.enqueue_ts IS NOT NULL AND c.dequeue_ts IS NOT NULL THEN unixepoch(c.dequeue_ts) - unixepoch(c.enqueue_ts)
           END AS queue_s,
           -- whisper gaps of callback legs; null when a timestamp is missing
           CASE WHEN c.initiation_method = 'CALLBACK' THEN unixepoch(c.connected_to_system_ts) - unixepoch(c.dequeue_ts) END AS agent_whisper_s,
           CASE WHEN c.initiation_method = 'CALLBACK' THEN unixepoch(c.connected_to_agent_ts) - unixepoch(c.connected_to_system_ts) END AS outbound_whisper_s
    FROM contacts c
    WHERE :queues IS NULL OR c.queue_name IN (SELECT value FROM json_each(:queues))
) AS l
WHERE l.bucket_ts IS NOT NULL
  AND (:from IS NULL OR l.bucket_ts >= :from)
  AND (:to IS NULL OR l.bucket_ts < :to)
