-- ftpscope's ECS documents in ClickHouse (docs/ecs.md, README.md here).
-- Written for ClickHouse 18.16 (Debian bookworm's clickhouse-server) and
-- later: DateTime (no DateTime64 before 20.1: sub-second times are in
-- event.duration), IP addresses as String, and the documents read in
-- ftpscope's dotted form (-o ecs-flat), which JSONEachRow maps onto these
-- column names; fields without a column are skipped
-- (input_format_skip_unknown_fields).
--
-- One insert goes to ftpscope_events; it keeps nothing (Null engine) and
-- three materialized views route each document by event.dataset into the
-- tables of sessions, channels and findings, ordered by time and gateway.

CREATE TABLE IF NOT EXISTS ftpscope_sessions
(
    `@timestamp` DateTime,
    `event.end` DateTime,
    `event.duration` UInt64,
    `event.outcome` String,
    `event.severity` UInt8,
    `observer.hostname` String,
    `observer.ingress.interface.name` String,
    `ftpscope.session.id` String,
    `ftpscope.session.source` String,
    `network.community_id` String,
    `network.type` String,
    `client.ip` String,
    `client.port` UInt16,
    `server.ip` String,
    `server.port` UInt16,
    `source.nat.ip` String,
    `source.nat.port` UInt16,
    `destination.nat.ip` String,
    `destination.nat.port` UInt16,
    `source.bytes` UInt64,
    `destination.bytes` UInt64,
    `user.name` String,
    `ftpscope.session.commands` UInt32,
    `ftpscope.session.replies` UInt32,
    `ftpscope.session.closed` String,
    `message` String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(`@timestamp`)
ORDER BY (toStartOfHour(`@timestamp`), `observer.hostname`, `@timestamp`);

CREATE TABLE IF NOT EXISTS ftpscope_channels
(
    `@timestamp` DateTime,
    `event.end` DateTime,
    `event.duration` UInt64,
    `event.outcome` String,
    `event.severity` UInt8,
    `observer.hostname` String,
    `observer.ingress.interface.name` String,
    `ftpscope.session.id` String,
    `ftpscope.session.source` String,
    `ftpscope.control.community_id` String,
    `ftpscope.channel.id` String,
    `ftpscope.channel.mode` String,
    `ftpscope.channel.status` String,
    `ftpscope.channel.transfer.verb` String,
    `ftpscope.channel.connection.match` String,
    `network.community_id` String,
    `network.type` String,
    `network.bytes` UInt64,
    `network.packets` UInt64,
    `client.ip` String,
    `server.ip` String,
    `source.ip` String,
    `source.port` UInt16,
    `source.bytes` UInt64,
    `source.nat.ip` String,
    `source.nat.port` UInt16,
    `destination.ip` String,
    `destination.port` UInt16,
    `destination.bytes` UInt64,
    `destination.nat.ip` String,
    `destination.nat.port` UInt16,
    `user.name` String,
    `file.name` String,
    `file.path` String,
    `file.size` UInt64,
    `file.hash.sha256` String,
    `message` String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(`@timestamp`)
ORDER BY (toStartOfHour(`@timestamp`), `observer.hostname`, `@timestamp`);

CREATE TABLE IF NOT EXISTS ftpscope_findings
(
    `@timestamp` DateTime,
    `event.kind` String,
    `event.severity` UInt8,
    `observer.hostname` String,
    `observer.ingress.interface.name` String,
    `ftpscope.session.id` String,
    `ftpscope.session.source` String,
    `ftpscope.control.community_id` String,
    `ftpscope.finding.severity` String,
    `ftpscope.finding.channel` String,
    `rule.id` String,
    `rule.description` String,
    `network.community_id` String,
    `client.ip` String,
    `server.ip` String,
    `source.ip` String,
    `source.port` UInt16,
    `destination.ip` String,
    `destination.port` UInt16,
    `user.name` String,
    `message` String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(`@timestamp`)
ORDER BY (toStartOfHour(`@timestamp`), `observer.hostname`, `@timestamp`);

-- Every column any of the three tables has, plus the dataset to route by.
CREATE TABLE IF NOT EXISTS ftpscope_events
(
    `@timestamp` DateTime,
    `event.dataset` String,
    `event.kind` String,
    `event.end` DateTime,
    `event.duration` UInt64,
    `event.outcome` String,
    `event.severity` UInt8,
    `observer.hostname` String,
    `observer.ingress.interface.name` String,
    `ftpscope.session.id` String,
    `ftpscope.session.source` String,
    `ftpscope.session.commands` UInt32,
    `ftpscope.session.replies` UInt32,
    `ftpscope.session.closed` String,
    `ftpscope.control.community_id` String,
    `ftpscope.channel.id` String,
    `ftpscope.channel.mode` String,
    `ftpscope.channel.status` String,
    `ftpscope.channel.transfer.verb` String,
    `ftpscope.channel.connection.match` String,
    `ftpscope.finding.severity` String,
    `ftpscope.finding.channel` String,
    `rule.id` String,
    `rule.description` String,
    `network.community_id` String,
    `network.type` String,
    `network.bytes` UInt64,
    `network.packets` UInt64,
    `client.ip` String,
    `client.port` UInt16,
    `server.ip` String,
    `server.port` UInt16,
    `source.ip` String,
    `source.port` UInt16,
    `source.bytes` UInt64,
    `source.nat.ip` String,
    `source.nat.port` UInt16,
    `destination.ip` String,
    `destination.port` UInt16,
    `destination.bytes` UInt64,
    `destination.nat.ip` String,
    `destination.nat.port` UInt16,
    `user.name` String,
    `file.name` String,
    `file.path` String,
    `file.size` UInt64,
    `file.hash.sha256` String,
    `message` String
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS ftpscope_sessions_route TO ftpscope_sessions AS
SELECT `@timestamp`, `event.end`, `event.duration`, `event.outcome`, `event.severity`,
       `observer.hostname`, `observer.ingress.interface.name`, `ftpscope.session.id`, `ftpscope.session.source`,
       `network.community_id`, `network.type`, `client.ip`, `client.port`, `server.ip`, `server.port`,
       `source.nat.ip`, `source.nat.port`, `destination.nat.ip`, `destination.nat.port`,
       `source.bytes`, `destination.bytes`, `user.name`,
       `ftpscope.session.commands`, `ftpscope.session.replies`, `ftpscope.session.closed`, `message`
FROM ftpscope_events WHERE `event.dataset` = 'ftpscope.session';

CREATE MATERIALIZED VIEW IF NOT EXISTS ftpscope_channels_route TO ftpscope_channels AS
SELECT `@timestamp`, `event.end`, `event.duration`, `event.outcome`, `event.severity`,
       `observer.hostname`, `observer.ingress.interface.name`, `ftpscope.session.id`, `ftpscope.session.source`,
       `ftpscope.control.community_id`, `ftpscope.channel.id`, `ftpscope.channel.mode`, `ftpscope.channel.status`,
       `ftpscope.channel.transfer.verb`, `ftpscope.channel.connection.match`,
       `network.community_id`, `network.type`, `network.bytes`, `network.packets`, `client.ip`, `server.ip`,
       `source.ip`, `source.port`, `source.bytes`, `source.nat.ip`, `source.nat.port`,
       `destination.ip`, `destination.port`, `destination.bytes`, `destination.nat.ip`, `destination.nat.port`,
       `user.name`, `file.name`, `file.path`, `file.size`, `file.hash.sha256`, `message`
FROM ftpscope_events WHERE `event.dataset` = 'ftpscope.channel';

CREATE MATERIALIZED VIEW IF NOT EXISTS ftpscope_findings_route TO ftpscope_findings AS
SELECT `@timestamp`, `event.kind`, `event.severity`, `observer.hostname`, `observer.ingress.interface.name`,
       `ftpscope.session.id`, `ftpscope.session.source`, `ftpscope.control.community_id`,
       `ftpscope.finding.severity`, `ftpscope.finding.channel`, `rule.id`, `rule.description`,
       `network.community_id`, `client.ip`, `server.ip`, `source.ip`, `source.port`,
       `destination.ip`, `destination.port`, `user.name`, `message`
FROM ftpscope_events WHERE `event.dataset` = 'ftpscope.finding';
