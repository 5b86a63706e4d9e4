-- name: callbacks
-- description: Callback requests per interval and originating queue: how many were answered, the customer's real wait, the attempts (Spark SQL over the lake).
-- parameters: none beyond the common ones
-- columns: interval_start, queue, callbacks_requested, callbacks_answered, callback_answer_rate_pct, avg_time_to_agent_s, callback_attempts
-- Queries/callbacks.sql in Spark SQL, over the `callback_requests` relation of
-- _callback_requests.sql: one row per originating queue, requests placed in time by the request leg.
SELECT date_format(interval_ts, "yyyy-MM-dd'T'HH:mm:ssxxx") AS interval_start,
       queue_name AS queue,
       COUNT(*) AS callbacks_requested,
       COUNT(CASE WHEN answered = 1 THEN 1 END) AS callbacks_answered,
       ctr_ratio(100 * COUNT(CASE WHEN answered = 1 THEN 1 END), COUNT(*)) AS callback_answer_rate_pct,
       ctr_ratio(SUM(time_to_agent_s), COUNT(time_to_agent_s)) AS avg_time_to_agent_s,
       SUM(attempts) AS callback_attempts
FROM callback_requests
GROUP BY interval_ts, queue_name
ORDER BY interval_ts, queue_name
