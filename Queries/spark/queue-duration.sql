-- name: queue-duration
-- description: Time in queue per interval and queue: averages, nearest-rank percentiles, service level (Spark SQL over the lake).
-- parameters: :sl  service-level threshold in seconds (--sl, default 20)
-- columns: interval_start, queue, contacts_queued, contacts_answered, avg_queue_s, p50_queue_s, p90_queue_s, max_queue_s, avg_answer_s, service_level_pct, answered_in_sl_pct
-- Queries/queue-duration.sql in Spark SQL: the same definitions over the `legs` relation of
-- _legs.sql. The percentiles are exact nearest rank (the value at rank ceil(p/100 x n) among
-- the legs with a queue_s, in ascending order), never approx_percentile.
-- Averages and percentages are ctrdb's ctr_ratio(n, d): n / d in DECIMAL (exact to 18 places,
-- finer than any count of legs can bring next to a half), ROUND to 2 decimals half away from
-- zero, then DOUBLE; null when d is 0.
WITH queued AS (
    SELECT *,
           ROW_NUMBER() OVER (PARTITION BY interval_ts, queue_name ORDER BY queue_s ASC NULLS LAST) AS queue_rank,
           COUNT(queue_s) OVER (PARTITION BY interval_ts, queue_name) AS measured
    FROM legs
    WHERE queued = 1
)
SELECT date_format(interval_ts, "yyyy-MM-dd'T'HH:mm:ssxxx") AS interval_start,
       queue_name AS queue,
       COUNT(*) AS contacts_queued,
       COUNT(CASE WHEN answered = 1 THEN 1 END) AS contacts_answered,
       CAST(ROUND(CAST(SUM(queue_s) AS DECIMAL(20, 0)) / NULLIF(COUNT(queue_s), 0), 2) AS DOUBLE) AS avg_queue_s,
       -- nearest rank: the value at rank ceil(p/100 * n)
       MAX(CASE WHEN queue_s IS NOT NULL AND queue_rank = (50 * measured + 99) div 100 THEN queue_s END) AS p50_queue_s,
       MAX(CASE WHEN queue_s IS NOT NULL AND queue_rank = (90 * measured + 99) div 100 THEN queue_s END) AS p90_queue_s,
       MAX(queue_s) AS max_queue_s,
       CAST(ROUND(CAST(SUM(CASE WHEN answered = 1 THEN queue_s END) AS DECIMAL(20, 0)) / NULLIF(COUNT(CASE WHEN answered = 1 THEN queue_s END), 0), 2) AS DOUBLE) AS avg_answer_s,
       CAST(ROUND(CAST(100 * COUNT(CASE WHEN queue_s < :sl THEN 1 END) AS DECIMAL(20, 0)) / NULLIF(COUNT(*), 0), 2) AS DOUBLE) AS service_level_pct,
       CAST(ROUND(CAST(100 * COUNT(CASE WHEN answered = 1 AND queue_s < :sl THEN 1 END) AS DECIMAL(20, 0)) / NULLIF(COUNT(*), 0), 2) AS DOUBLE) AS answered_in_sl_pct
FROM queued
GROUP BY interval_ts, queue_name
ORDER BY interval_ts, queue_name
