#!/bin/sh
# Writes both peers' strongSwan logs of one simulated trial (the KB scenario
# at 1 h Child SA lifetimes, 55 days: about 10 MB a log), repeated COPIES
# times one after the other (each copy 56 days later), for measuring
# `rekeysim ingest`'s memory on large inputs. B's clock is set 3 s ahead of
# A's so that the alignment has an offset to find.
#
#   tools/ingest/bench/make_log_pair.sh REKEYSIM COPIES OUTDIR
#   -> OUTDIR/a.log, OUTDIR/b.log (COPIES x ~10 MB each)
# then e.g.  /usr/bin/time -v REKEYSIM ingest OUTDIR/a.log OUTDIR/b.log --out x.jsonl
set -eu
if [ $# -ne 3 ]; then
  echo "usage: $0 REKEYSIM COPIES OUTDIR" >&2
  exit 2
fi
bin=$1 copies=$2 dir=$3
here=$(cd "$(dirname "$0")/../../.." && pwd)
mkdir -p "$dir"
for peer in a b; do
  start="2025-07-06 00:00:00"
  [ "$peer" = b ] && start="2025-07-06 00:00:03"
  "$bin" trace "$here/scenarios/kb-incident.yaml" --set duration=55d \
    --set peers.a.child.lifetime=1h --set peers.b.child.lifetime=1h \
    --trial 0 --first rekey --window 100000000s --style strongswan --peer "$peer" \
    --start "$start" --out "$dir/$peer.one.log" >/dev/null
  # The copies: each line's "Mon dd HH:MM:SS.mmm" stamp moved on 56 days a copy.
  python3 - "$dir/$peer.one.log" "$copies" >"$dir/$peer.log" <<'PY'
import sys, datetime
lines = open(sys.argv[1]).read().splitlines()
out = sys.stdout
for k in range(int(sys.argv[2])):
    shift = datetime.timedelta(days=56 * k)
    for line in lines:
        t = datetime.datetime.strptime("2025 " + line[:15], "%Y %b %d %H:%M:%S") + shift
        out.write(t.strftime("%b ") + "%2d" % t.day + t.strftime(" %H:%M:%S") + line[15:] + "\n")
PY
  rm "$dir/$peer.one.log"
done
