-- name: quality
-- description: Data quality checks of the lake's legs, one row per check with a count and an example contact. (Trino SQL for Athena engine 3 over Queries/athena/tables.sql)
-- Queries/spark/quality.sql in Trino's dialect: the options are the `params` row at the top
-- (Trino has no session time zone the SQL could lean on, so tz is a value, and AT TIME ZONE
-- does the civil calendar). Its rows are those of `ctrdb report quality` with the same options;
-- checked here with sqlglot only (no Trino server runs on this machine).
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
)
SELECT "check", count, example_contact_id
FROM (
    SELECT 1 AS ordinal, 'duration_mismatch' AS "check", COUNT(*) AS count, MIN(contact_id) AS example_contact_id
    FROM legs
    WHERE queue_duration_s IS NOT NULL AND enqueue_ts IS NOT NULL AND dequeue_ts IS NOT NULL
      AND abs(queue_duration_s - (to_unixtime(dequeue_ts) - to_unixtime(enqueue_ts))) > 1
      AND NOT (callback_leg = 1 AND initiation_ts IS NOT NULL
               AND abs(queue_duration_s - (to_unixtime(dequeue_ts) - to_unixtime(initiation_ts))) <= 1)
    UNION ALL
    SELECT 2, 'missing_queue_duration', COUNT(*), MIN(contact_id) FROM legs WHERE queued = 1 AND queue_duration_s IS NULL
    UNION ALL
    SELECT 3, 'negative_whisper_gap', COUNT(*), MIN(contact_id) FROM legs WHERE agent_whisper_s < 0 OR outbound_whisper_s < 0
    UNION ALL
    SELECT 4, 'missing_parent', COUNT(*), MIN(contact_id) FROM legs WHERE missing_parent = 1
    UNION ALL
    SELECT 5, 'missing_next', COUNT(*), MIN(contact_id) FROM legs WHERE missing_next = 1
    UNION ALL
    SELECT 6, 'cycle', COUNT(*), MIN(contact_id) FROM legs WHERE in_cycle = 1
    UNION ALL
    -- the database's versions, rejects and ingest files are not in the lake's tables (their counts
    -- are in _ctrdb_lake.json, "quality"; `ctrdb report quality` and the Spark report give them)
    SELECT 7, 'duplicate_deliveries', CAST(NULL AS bigint), CAST(NULL AS varchar)
    UNION ALL
    SELECT 8, 'conflicting_versions', COUNT(*), MIN(contact_id) FROM legs WHERE conflicting_versions = 1
    UNION ALL
    SELECT 9, 'rejected_records', CAST(NULL AS bigint), CAST(NULL AS varchar)
    UNION ALL
    SELECT 10, 'partial_files', CAST(NULL AS bigint), CAST(NULL AS varchar)
) AS checks
ORDER BY ordinal
