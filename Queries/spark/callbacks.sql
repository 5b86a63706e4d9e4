-- name: callbacks
-- description: Callback requests per interval and originating queue: how many were answered, the customer's real wait, the attempts (Spark SQL over the lake).
-- parameters: none beyond the common ones
-- columns: interval_start, queue, callbacks_requested, callbacks_answered, callback_answer_rate_pct, avg_time_to_agent_s, callback_attempts
-- Queries/callbacks.sql in Spark SQL, over the `callback_requests` relation of
-- _callback_requests.sql: one row per originating queue, requests placed in time by the request leg.
-- Averages and percentages are ctrdb's ctr_ratio(n, d): n / d in DECIMAL (exact to 18 places,
-- finer than any count of legs can bring next to a half), ROUND to 2 decimals half away from
-- zero, then DOUBLE; null when d is 0.
SELECT date_format(interval_ts, "yyyy-MM-dd'T'HH:mm:ssxxx") AS interval_start,
       queue_name AS queue,
       COUNT(*) AS callbacks_requested,
       COUNT(CASE WHEN answered = 1 THEN 1 END) AS callbacks_answered,
       CAST(ROUND(CAST(100 * COUNT(CASE WHEN answered = 1 THEN 1 END) AS DECIMAL(20, 0)) / NULLIF(COUNT(*), 0), 2) AS DOUBLE) AS callback_answer_rate_pct,
       CAST(ROUND(CAST(SUM(time_to_agent_s) AS DECIMAL(20, 0)) / NULLIF(COUNT(time_to_agent_s), 0), 2) AS DOUBLE) AS avg_time_to_agent_s,
       SUM(attempts) AS callback_attempts
FROM callback_requests
GROUP BY interval_ts, queue_name
ORDER BY interval_ts, queue_name
