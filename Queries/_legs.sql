-- relation: legs
-- uses: leg
-- description: The legs a report covers: `leg` placed in its interval and narrowed by the report's options.
-- parameters:
--   :by        which timestamp places a leg in an interval: disconnect, enqueue, initiation or answer
--   (the interval and time zone are the runner's: ctr_interval_key(ts) buckets in them)
--   :from :to  the report's range as UTC text (inclusive, exclusive), or null
--   :queues    a JSON array of queue names to keep, or null for all
-- interval_key is the interval's start in epoch seconds; a report groups by it and shows
-- ctr_interval_label(interval_key) as interval_start, so the
-- label is made once per row of output rather than once per leg.
-- Each placement is its own branch, guarded by :by, so that SQLite reads one day through the
-- index on that timestamp (and the one on initiation_ts for legs where it is null) instead of
-- scanning every leg: the cost of a one-day report follows the day, not the history.
SELECT l.*,
       ctr_interval_key(l.bucket_ts) AS interval_key
FROM (
    -- a leg whose chosen timestamp is null falls back to its initiation_ts (SPEC section 1)
    SELECT leg.*, COALESCE(leg.disconnect_ts, leg.initiation_ts) AS bucket_ts
    FROM leg
    WHERE :by = 'disconnect'
      AND ((leg.disconnect_ts >= COALESCE(:from, '') AND leg.disconnect_ts < COALESCE(:to, '9'))
           OR (leg.disconnect_ts IS NULL AND leg.initiation_ts >= COALESCE(:from, '') AND leg.initiation_ts < COALESCE(:to, '9')))
    UNION ALL
    SELECT leg.*, COALESCE(leg.enqueue_ts, leg.initiation_ts)
    FROM leg
    WHERE :by = 'enqueue'
      AND ((leg.enqueue_ts >= COALESCE(:from, '') AND leg.enqueue_ts < COALESCE(:to, '9'))
           OR (leg.enqueue_ts IS NULL AND leg.initiation_ts >= COALESCE(:from, '') AND leg.initiation_ts < COALESCE(:to, '9')))
    UNION ALL
    SELECT leg.*, COALESCE(leg.connected_to_agent_ts, leg.initiation_ts)
    FROM leg
    WHERE :by = 'answer'
      AND ((leg.connected_to_agent_ts >= COALESCE(:from, '') AND leg.connected_to_agent_ts < COALESCE(:to, '9'))
           OR (leg.connected_to_agent_ts IS NULL AND leg.initiation_ts >= COALESCE(:from, '') AND leg.initiation_ts < COALESCE(:to, '9')))
    UNION ALL
    SELECT leg.*, leg.initiation_ts
    FROM leg
    WHERE :by = 'initiation' AND leg.initiation_ts >= COALESCE(:from, '') AND leg.initiation_ts < COALESCE(:to, '9')
) AS l
WHERE :queues IS NULL OR l.queue_name IN (SELECT value FROM json_each(:queues))
