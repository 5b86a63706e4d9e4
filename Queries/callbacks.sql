-- name: callbacks
-- description: Callback requests per interval and originating queue: how many were answered, the customer's real wait, the attempts.
-- parameters: none beyond the common ones
-- columns: interval_start, queue, callbacks_requested, callbacks_answered, callback_answer_rate_pct, avg_time_to_agent_s, callback_attempts
-- One row per originating queue, requests placed in time by the request leg
-- (_callback_requests.sql defines a request, its callback legs, answered and time to agent).
-- A retry or a customer-first callback's dialled leg is never a request of its own.
SELECT ctr_interval_label(interval_key) AS interval_start,
       queue_name AS queue,
       COUNT(*) AS callbacks_requested,
       COUNT(CASE WHEN answered = 1 THEN 1 END) AS callbacks_answered,
       ctr_ratio(100 * COUNT(CASE WHEN answered = 1 THEN 1 END), COUNT(*)) AS callback_answer_rate_pct,
       ctr_ratio(SUM(time_to_agent_s), COUNT(time_to_agent_s)) AS avg_time_to_agent_s,
       SUM(attempts) AS callback_attempts
FROM callback_requests
GROUP BY interval_key, queue_name
ORDER BY interval_key, queue_name
