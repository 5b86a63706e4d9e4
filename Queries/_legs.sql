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
SELECT l.*,
       ctr_interval_key(l.bucket_ts) AS interval_key
FROM (
    SELECT leg.*,
           -- a leg whose chosen timestamp is null falls back to its initiation_ts (SPEC section 1)
           COALESCE(CASE :by
                        WHEN 'enqueue' THEN leg.enqueue_ts
                        WHEN 'initiation' THEN leg.initiation_ts
                        WHEN 'answer' THEN leg.connected_to_agent_ts
                        ELSE leg.disconnect_ts
                    END,
                    leg.initiation_ts) AS bucket_ts
    FROM leg
    WHERE :queues IS NULL OR leg.queue_name IN (SELECT value FROM json_each(:queues))
) AS l
WHERE l.bucket_ts IS NOT NULL
  AND (:from IS NULL OR l.bucket_ts >= :from)
  AND (:to IS NULL OR l.bucket_ts < :to)
