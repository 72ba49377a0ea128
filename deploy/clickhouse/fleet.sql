-- Which gateways broke FTP, and why: error findings by gateway and rule.
SELECT `observer.hostname` AS gateway, `rule.id` AS rule, count() AS errors
FROM ftpscope_findings
WHERE `event.severity` = 3
GROUP BY gateway, rule
ORDER BY gateway, rule
FORMAT TabSeparated;

-- Failed transfers by FTP server (a transfer command whose data channel
-- failed: rejected, no connection, refused, filtered, aborted, truncated).
SELECT `server.ip` AS server, count() AS failed_transfers
FROM ftpscope_channels
WHERE `event.outcome` = 'failure' AND `ftpscope.channel.transfer.verb` != ''
GROUP BY server
ORDER BY server
FORMAT TabSeparated;
