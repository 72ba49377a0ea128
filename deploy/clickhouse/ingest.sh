#!/usr/bin/env bash
# ingest.sh GATEWAY CAPTURE...: analyse capture files taken on one gateway
# and insert their ECS documents into ClickHouse (schema.sql). FTPSCOPE and
# CLICKHOUSE_CLIENT name the programs, with their options (defaults:
# ftpscope and clickhouse-client from PATH). Each file is one pipeline:
#
#   ftpscope -r FILE -o ecs-flat --observer GATEWAY | clickhouse-client \
#     --input_format_skip_unknown_fields=1 --date_time_input_format=best_effort \
#     --query "INSERT INTO ftpscope_events FORMAT JSONEachRow"
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: $0 GATEWAY CAPTURE..." >&2
	exit 2
fi
gateway=$1
shift
for f in "$@"; do
	${FTPSCOPE:-ftpscope} -q -r "$f" -o ecs-flat --observer "$gateway" |
		${CLICKHOUSE_CLIENT:-clickhouse-client} --input_format_skip_unknown_fields=1 \
			--date_time_input_format=best_effort --query "INSERT INTO ftpscope_events FORMAT JSONEachRow"
done
