-- name: queue-duration
-- description: Time in queue per interval and queue: averages, nearest-rank percentiles, service level. (Trino SQL for Athena engine 3 over Queries/athena/tables.sql)
-- Queries/spark/queue-duration.sql in Trino's dialect: the options are the `params` row at the top
-- (Trino has no session time zone the SQL could lean on, so tz is a value, and AT TIME ZONE
-- does the civil calendar). Its rows are those of `ctrdb report queue-duration` with the same options;
-- checked here with sqlglot only (no Trino server runs on this machine).
-- Averages and percentages: ctrdb's ctr_ratio(n, d) is decimal(38, 2) division, which Trino
-- rounds half up (away from zero), then double; null when d is 0.
WITH params AS (
    -- The report's options (SPEC section 1). Edit the values, or PREPARE the query and bind them.
    SELECT 'UTC' AS tz,                                          -- --tz, an IANA name
           '1d' AS interval_name,                                -- --interval: 15m, 30m, 1h, 1d, 1w or total
           'disconnect' AS placement,                            -- --by: disconnect, enqueue, initiation or answer
           CAST(NULL AS timestamp(3) with time zone) AS from_ts, -- --from, e.g. TIMESTAMP '2024-03-10 00:00:00 America/New_York'
           CAST(NULL AS timestamp(3) with time zone) AS to_ts,   -- --to (exclusive)
           CAST(NULL AS array(varchar)) AS queues,               -- --queue, e.g. ARRAY['Sales', 'Support']
           20 AS sl,                                             -- --sl
           5 AS short_abandon                                    -- --short-abandon
),
-- Queries/spark/_legs.sql in Trino: every leg in range placed by its chosen timestamp (else
-- initiation_ts), over every queue; for partition pruning also name dt literally, a day either
-- side of the range (dt is the UTC date of disconnect_ts).
placed AS (
    SELECT leg.*, p.tz, p.interval_name, p.queues,
           with_timezone(COALESCE(CASE p.placement
                                      WHEN 'enqueue' THEN leg.enqueue_ts
                                      WHEN 'initiation' THEN leg.initiation_ts
                                      WHEN 'answer' THEN leg.connected_to_agent_ts
                                      ELSE leg.disconnect_ts
                                  END,
                                  leg.initiation_ts), 'UTC') AS bucket_ts
    FROM ctrdb.legs leg
    CROSS JOIN params p
    WHERE (p.from_ts IS NULL OR leg.dt >= format_datetime(p.from_ts AT TIME ZONE 'UTC' - INTERVAL '1' DAY, 'yyyy-MM-dd'))
      AND (p.to_ts IS NULL OR leg.dt <= format_datetime(p.to_ts AT TIME ZONE 'UTC' + INTERVAL '1' DAY, 'yyyy-MM-dd'))
),
in_range AS (
    SELECT placed.*
    FROM placed CROSS JOIN params p
    WHERE placed.bucket_ts IS NOT NULL
      AND (p.from_ts IS NULL OR placed.bucket_ts >= p.from_ts)
      AND (p.to_ts IS NULL OR placed.bucket_ts < p.to_ts)
),
-- --interval total: one interval from --from, else from the earliest placed time over every queue
total_start AS (
    SELECT COALESCE(MIN(p.from_ts), MIN(r.bucket_ts)) AS start_ts
    FROM params p LEFT JOIN in_range r ON true
),
-- The civil calendar of tz, as ctrdb's IntervalBucketer: 15m/30m/1h aligned to local wall-clock
-- multiples at the offset in force (the repeated autumn hour is two intervals), 1d at local
-- midnight (23 or 25 hours across a DST change), 1w on Monday.
legs AS (
    SELECT r.*,
           CASE r.interval_name
               WHEN 'total' THEN t.start_ts AT TIME ZONE r.tz
               WHEN '1d' THEN date_trunc('day', r.bucket_ts AT TIME ZONE r.tz)
               WHEN '1w' THEN date_trunc('week', r.bucket_ts AT TIME ZONE r.tz)
               ELSE from_unixtime(
                        CAST(to_unixtime(r.bucket_ts) AS bigint)
                        - mod(CAST(to_unixtime(r.bucket_ts) AS bigint)
                              + timezone_hour(r.bucket_ts AT TIME ZONE r.tz) * 3600
                              + timezone_minute(r.bucket_ts AT TIME ZONE r.tz) * 60,
                              CASE r.interval_name WHEN '15m' THEN 900 WHEN '30m' THEN 1800 ELSE 3600 END),
                        r.tz)
           END AS interval_ts
    FROM in_range r CROSS JOIN total_start t
    WHERE r.queues IS NULL OR contains(r.queues, r.queue_name)
),
queued AS (
    SELECT legs.*,
           ROW_NUMBER() OVER (PARTITION BY interval_ts, queue_name ORDER BY queue_s ASC NULLS LAST) AS queue_rank,
           COUNT(queue_s) OVER (PARTITION BY interval_ts, queue_name) AS measured
    FROM legs
    WHERE queued = 1
)
SELECT format_datetime(interval_ts, 'yyyy-MM-dd''T''HH:mm:ssZZ') AS interval_start,
       queue_name AS queue,
       COUNT(*) AS contacts_queued,
       COUNT(CASE WHEN answered = 1 THEN 1 END) AS contacts_answered,
       CAST(CAST(SUM(queue_s) AS decimal(38, 2)) / NULLIF(COUNT(queue_s), 0) AS double) AS avg_queue_s,
       -- nearest rank: the value at rank ceil(p/100 * n), exact (never approx_percentile)
       MAX(CASE WHEN queue_s IS NOT NULL AND queue_rank = (50 * measured + 99) / 100 THEN queue_s END) AS p50_queue_s,
       MAX(CASE WHEN queue_s IS NOT NULL AND queue_rank = (90 * measured + 99) / 100 THEN queue_s END) AS p90_queue_s,
       MAX(queue_s) AS max_queue_s,
       CAST(CAST(SUM(CASE WHEN answered = 1 THEN queue_s END) AS decimal(38, 2)) / NULLIF(COUNT(CASE WHEN answered = 1 THEN queue_s END), 0) AS double) AS avg_answer_s,
       CAST(CAST(100 * COUNT(CASE WHEN queue_s < p.sl THEN 1 END) AS decimal(38, 2)) / NULLIF(COUNT(*), 0) AS double) AS service_level_pct,
       CAST(CAST(100 * COUNT(CASE WHEN answered = 1 AND queue_s < p.sl THEN 1 END) AS decimal(38, 2)) / NULLIF(COUNT(*), 0) AS double) AS answered_in_sl_pct
FROM queued CROSS JOIN params p
GROUP BY interval_ts, queue_name
ORDER BY interval_ts, queue_name
