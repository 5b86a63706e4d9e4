-- The three tables of a `ctrdb lake` dataset for Athena (engine version 3) and Trino's Hive connector.
-- Replace s3://amzn-s3-demo-bucket/ctrdb-lake with where `aws s3 sync LAKE s3://...` copied the lake
-- and 2024-01-01 with its first day. Partition projection computes the dt=YYYY-MM-DD folders from
-- the range, so no MSCK REPAIR TABLE or crawler is needed when a night adds a day; a query that
-- names dt (WHERE dt BETWEEN '2024-03-09' AND '2024-03-11') reads only those folders.
-- Columns and types are SPEC section 8's (Sources/CTRKit/Lake/LakeTable.swift): STRING, INT64 and
-- TIMESTAMP(MICROS, adjusted to UTC) Parquet columns; dt is the UTC date of a leg's disconnect_ts,
-- else initiation_ts (journeys: first_initiation_ts; callback_requests: the request leg's).
-- A Trino server without Athena's projection reads the same DDL once its partitions are registered
-- (CALL system.sync_partition_metadata('ctrdb', 'legs', 'ADD')).
CREATE DATABASE IF NOT EXISTS ctrdb;

-- legs/: every leg with SPEC section 4's derived values
CREATE EXTERNAL TABLE IF NOT EXISTS ctrdb.legs (
    contact_id string,
    instance_arn string,
    channel string,
    initiation_method string,
    initiation_ts timestamp,
    connected_to_system_ts timestamp,
    disconnect_ts timestamp,
    last_update_ts timestamp,
    disconnect_reason string,
    previous_contact_id string,
    next_contact_id string,
    initial_contact_id string,
    related_contact_id string,
    queue_name string,
    queue_arn string,
    enqueue_ts timestamp,
    dequeue_ts timestamp,
    queue_duration_s bigint,
    agent_username string,
    agent_arn string,
    connected_to_agent_ts timestamp,
    agent_interaction_s bigint,
    customer_hold_s bigint,
    number_of_holds bigint,
    longest_hold_s bigint,
    acw_s bigint,
    routing_profile string,
    customer_address string,
    system_address string,
    transfer_completed_ts timestamp,
    chain_id string,
    chain_depth bigint,
    outcome string,
    queued bigint,
    answered bigint,
    callback_leg bigint,
    queue_s bigint,
    agent_whisper_s bigint,
    outbound_whisper_s bigint,
    missing_parent bigint,
    missing_next bigint,
    in_cycle bigint,
    conflicting_versions bigint
)
PARTITIONED BY (dt string)
STORED AS PARQUET
LOCATION 's3://amzn-s3-demo-bucket/ctrdb-lake/legs/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd',
    'projection.dt.range' = '2024-01-01,NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://amzn-s3-demo-bucket/ctrdb-lake/legs/dt=${dt}/'
);

-- journeys/: one row per journey (chain)
CREATE EXTERNAL TABLE IF NOT EXISTS ctrdb.journeys (
    chain_id string,
    legs bigint,
    first_initiation_ts timestamp,
    last_disconnect_ts timestamp,
    queues string,
    answered bigint,
    had_callback bigint,
    broken bigint
)
PARTITIONED BY (dt string)
STORED AS PARQUET
LOCATION 's3://amzn-s3-demo-bucket/ctrdb-lake/journeys/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd',
    'projection.dt.range' = '2024-01-01,NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://amzn-s3-demo-bucket/ctrdb-lake/journeys/dt=${dt}/'
);

-- callback_requests/: one row per callback request, its callback legs followed
CREATE EXTERNAL TABLE IF NOT EXISTS ctrdb.callback_requests (
    contact_id string,
    chain_id string,
    queue_name string,
    initiation_ts timestamp,
    enqueue_ts timestamp,
    dequeue_ts timestamp,
    disconnect_ts timestamp,
    answered bigint,
    first_agent_ts timestamp,
    time_to_agent_s bigint,
    attempts bigint
)
PARTITIONED BY (dt string)
STORED AS PARQUET
LOCATION 's3://amzn-s3-demo-bucket/ctrdb-lake/callback_requests/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd',
    'projection.dt.range' = '2024-01-01,NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://amzn-s3-demo-bucket/ctrdb-lake/callback_requests/dt=${dt}/'
);
