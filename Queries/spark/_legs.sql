-- relation: legs
-- description: The legs a report covers: the lake's legs/ placed in their interval and narrowed by the report's options (Queries/_legs.sql over the lake).
-- parameters:
--   :placement     which timestamp places a leg in an interval: disconnect, enqueue, initiation or answer
--   :interval_name 15m, 30m, 1h, 1d, 1w or total; :interval_s is the length of 15m/30m/1h in seconds
--   :tz            the report's time zone, which report.py also makes the session time zone:
--                  date_trunc and date_format work in it
--   :from_s :to_s  the report's range in epoch seconds (inclusive, exclusive), or null
--   :every_queue   true, or false to keep only the queues of :queues (an array of names)
--   :total_start_s with --interval total, the one interval's start: --from, else the earliest
--                  placed time over every queue (report.py finds it with :every_queue true)
-- The lake's legs/ (view lake_legs) already carries the leg relation's columns (queue_s, the
-- whisper gaps, outcome, queued, answered, callback_leg). interval_ts is the start of the
-- leg's interval as a timestamp, following the civil calendar of :tz as ctrdb's
-- IntervalBucketer does: 15m/30m/1h aligned to local wall-clock multiples at the offset in
-- force (so the repeated autumn hour is two intervals), 1d at local midnight (a DST day is
-- 23 or 25 hours), 1w on Monday. A report shows it as interval_start with its offset.
SELECT l.*,
       CASE :interval_name
           WHEN 'total' THEN timestamp_seconds(:total_start_s)
           WHEN '1d' THEN date_trunc('DAY', l.bucket_ts)
           WHEN '1w' THEN date_trunc('WEEK', l.bucket_ts)
           -- local wall-clock seconds are the epoch seconds of from_utc_timestamp(ts, tz)
           ELSE timestamp_seconds(unix_seconds(l.bucket_ts)
                                  - pmod(unix_seconds(from_utc_timestamp(l.bucket_ts, :tz)), :interval_s))
       END AS interval_ts
FROM (
    SELECT leg.*,
           -- a leg whose chosen timestamp is null falls back to its initiation_ts (SPEC section 1)
           COALESCE(CASE :placement
                        WHEN 'enqueue' THEN leg.enqueue_ts
                        WHEN 'initiation' THEN leg.initiation_ts
                        WHEN 'answer' THEN leg.connected_to_agent_ts
                        ELSE leg.disconnect_ts
                    END,
                    leg.initiation_ts) AS bucket_ts
    FROM lake_legs leg
    WHERE :every_queue OR array_contains(:queues, leg.queue_name)
) AS l
WHERE l.bucket_ts IS NOT NULL
  AND (:from_s IS NULL OR l.bucket_ts >= timestamp_seconds(:from_s))
  AND (:to_s IS NULL OR l.bucket_ts < timestamp_seconds(:to_s))
