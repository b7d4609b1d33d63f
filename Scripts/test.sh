#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs test dependencies, builds, runs the unit
# and end-to-end tests, then crosschecks the decoder against tshark on every fixture.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-deps.sh --test
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test-output.txt
if [[ -x Scripts/crosscheck-tshark.py ]]; then
    /usr/bin/python3 Scripts/crosscheck-tshark.py --scopescan "$(swift build --show-bin-path)/scopescan"
fi
# The fixtures' IP packets in every link type of issue #16 (about 12,000 frames, ~10 s): IP shown
# in >= 98% of the frames where tshark shows it, fields agreeing >= 99.9%.
if [[ -x Scripts/linktype-corpus.py ]]; then
    /usr/bin/python3 Scripts/linktype-corpus.py --scopescan "$(swift build --show-bin-path)/scopescan"
fi
# Unsafe code per module and file against Scripts/unsafe-boundary.txt, the checker's self-test first:
# fails on an unmarked warning, an `unsafe` outside the listed files or above a file's allowance, or
# an `unsafe` without its reason; prints "unsafe sites outside the boundary files: N".
Scripts/unsafe-sites.sh --self-test
Scripts/unsafe-sites.sh
# One plain closing line for whoever reads only the end of the log.
count=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} in .* passed.*/\1/p' .build/test-output.txt | tail -n 1)
echo "tests: ${count:-0} passed, 0 failed"
