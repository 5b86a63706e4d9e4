-- name: abandonment
-- description: Abandoned contacts per interval and queue, told apart from callbacks, retries and transfers (Spark SQL over the lake).
-- parameters: :short_abandon  short-abandon threshold in seconds (--short-abandon, default 5)
-- columns: interval_start, queue, contacts_queued, abandoned, abandon_rate_pct, abandoned_short, avg_abandon_s, callback_requested, transferred, unresolved, callback_retried
-- Queries/abandonment.sql in Spark SQL. Over queued legs, by the outcome the lake carries
-- (SPEC section 4): a callback request, a callback retry and a transfer are not abandons.
-- Averages and percentages are ctrdb's ctr_ratio(n, d): n / d in DECIMAL (exact to 18 places,
-- finer than any count of legs can bring next to a half), ROUND to 2 decimals half away from
-- zero, then DOUBLE; null when d is 0.
SELECT date_format(interval_ts, "yyyy-MM-dd'T'HH:mm:ssxxx") AS interval_start,
       queue_name AS queue,
       COUNT(*) AS contacts_queued,
       COUNT(CASE WHEN outcome = 'abandoned' THEN 1 END) AS abandoned,
       CAST(ROUND(CAST(100 * COUNT(CASE WHEN outcome = 'abandoned' THEN 1 END) AS DECIMAL(20, 0)) / NULLIF(COUNT(*), 0), 2) AS DOUBLE) AS abandon_rate_pct,
       COUNT(CASE WHEN outcome = 'abandoned' AND queue_s < :short_abandon THEN 1 END) AS abandoned_short,
       CAST(ROUND(CAST(SUM(CASE WHEN outcome = 'abandoned' THEN queue_s END) AS DECIMAL(20, 0)) / NULLIF(COUNT(CASE WHEN outcome = 'abandoned' THEN queue_s END), 0), 2) AS DOUBLE) AS avg_abandon_s,
       COUNT(CASE WHEN outcome = 'callback' THEN 1 END) AS callback_requested,
       COUNT(CASE WHEN outcome = 'transfer' THEN 1 END) AS transferred,
       COUNT(CASE WHEN outcome = 'unresolved' THEN 1 END) AS unresolved,
       COUNT(CASE WHEN outcome = 'callback_retry' THEN 1 END) AS callback_retried
FROM legs
WHERE queued = 1
GROUP BY interval_ts, queue_name
ORDER BY interval_ts, queue_name
