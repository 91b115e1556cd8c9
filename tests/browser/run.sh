#!/usr/bin/env bash
# Browser check of report.html (part of .ci/run): installs Debian's Chromium and the two npm
# packages if missing, makes a small result and a small policy comparison with the release
# binary, and opens both reports with every Noto font hidden from the browser (a fontconfig file
# that includes the system's configuration and rejects any font named Noto), so the charts must
# be drawn with the font embedded in the report.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd "$here" && npm ci --no-audit --no-fund --silent)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/fonts.conf" <<'CONF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><glob>*Noto*</glob><glob>*noto*</glob></rejectfont></selectfont>
</fontconfig>
CONF
export FONTCONFIG_FILE="$work/fonts.conf"
(cd "$root" && cargo build --release --quiet)
"$root/target/release/clustersim" run "$root/scenarios/lithuania-2007-2013.json" \
  --runs 200 --out "$work/result" --quiet
node "$here/check-report.mjs" "$work/result/report.html" "$work/screenshot.png"
"$root/target/release/clustersim" compare "$root/scenarios/lithuania-2007-2013.json" \
  --runs 60 --out "$work/comparison" --quiet
node "$here/check-report.mjs" "$work/comparison/report.html" "$work/comparison-screenshot.png"
