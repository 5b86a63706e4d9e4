-- name: whisper
-- description: Agent and outbound whisper time of callback legs, per interval and callback queue (Spark SQL over the lake).
-- parameters: none beyond the common ones
-- columns: interval_start, queue, callbacks_dequeued, callbacks_connected, avg_agent_whisper_s, max_agent_whisper_s, avg_outbound_whisper_s, max_outbound_whisper_s
-- Queries/whisper.sql in Spark SQL. Over agent-first callback legs with a dequeue_ts, grouped
-- by their own queue; the gaps are the lake's agent_whisper_s and outbound_whisper_s.
-- Missing timestamps and negative gaps are left out (the quality report counts the negative ones).
-- Averages and percentages are ctrdb's ctr_ratio(n, d): n / d in DECIMAL (exact to 18 places,
-- finer than any count of legs can bring next to a half), ROUND to 2 decimals half away from
-- zero, then DOUBLE; null when d is 0.
SELECT date_format(interval_ts, "yyyy-MM-dd'T'HH:mm:ssxxx") AS interval_start,
       queue_name AS queue,
       COUNT(*) AS callbacks_dequeued,
       COUNT(CASE WHEN answered = 1 THEN 1 END) AS callbacks_connected,
       CAST(ROUND(CAST(SUM(CASE WHEN agent_whisper_s >= 0 THEN agent_whisper_s END) AS DECIMAL(20, 0)) / NULLIF(COUNT(CASE WHEN agent_whisper_s >= 0 THEN agent_whisper_s END), 0), 2) AS DOUBLE) AS avg_agent_whisper_s,
       MAX(CASE WHEN agent_whisper_s >= 0 THEN agent_whisper_s END) AS max_agent_whisper_s,
       CAST(ROUND(CAST(SUM(CASE WHEN outbound_whisper_s >= 0 THEN outbound_whisper_s END) AS DECIMAL(20, 0)) / NULLIF(COUNT(CASE WHEN outbound_whisper_s >= 0 THEN outbound_whisper_s END), 0), 2) AS DOUBLE) AS avg_outbound_whisper_s,
       MAX(CASE WHEN outbound_whisper_s >= 0 THEN outbound_whisper_s END) AS max_outbound_whisper_s
FROM legs
WHERE initiation_method = 'CALLBACK' AND dequeue_ts IS NOT NULL
GROUP BY interval_ts, queue_name
ORDER BY interval_ts, queue_name
