-- name: callbacks
-- description: Callback requests per interval and originating queue: how many were answered, the customer's real wait, the attempts. (Trino SQL for Athena engine 3 over Queries/athena/tables.sql)
-- Queries/spark/callbacks.sql in Trino's dialect: the options are the `params` row at the top
-- (Trino has no session time zone the SQL could lean on, so tz is a value, and AT TIME ZONE
-- does the civil calendar). Its rows are those of `ctrdb report callbacks` with the same options;
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
-- Queries/spark/_callback_requests.sql: the lake's requests placed in time by their request leg
callback_requests AS (
    SELECT c.contact_id, c.queue_name, c.answered, c.first_agent_ts, c.time_to_agent_s, c.attempts, q.interval_ts
    FROM ctrdb.callback_requests c
    JOIN legs q ON q.contact_id = c.contact_id
)
SELECT format_datetime(interval_ts, 'yyyy-MM-dd''T''HH:mm:ssZZ') AS interval_start,
       queue_name AS queue,
       COUNT(*) AS callbacks_requested,
       COUNT(CASE WHEN answered = 1 THEN 1 END) AS callbacks_answered,
       CAST(CAST(100 * COUNT(CASE WHEN answered = 1 THEN 1 END) AS decimal(38, 2)) / NULLIF(COUNT(*), 0) AS double) AS callback_answer_rate_pct,
       CAST(CAST(SUM(time_to_agent_s) AS decimal(38, 2)) / NULLIF(COUNT(time_to_agent_s), 0) AS double) AS avg_time_to_agent_s,
       SUM(attempts) AS callback_attempts
FROM callback_requests
GROUP BY interval_ts, queue_name
ORDER BY interval_ts, queue_name
