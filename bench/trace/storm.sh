#!/bin/bash
# The exec storm of the trace benchmark: N runs of `/bin/true TAGA i`, then N of `/bin/sh -c 'exit 3' TAGB i`,
# one after another from a bash loop, so every exec has a unique argv and the sh ones exit with 3.
# Usage: bash storm.sh TAG N
tag=$1
n=$2
for ((i = 0; i < n; i++)); do /bin/true "${tag}A" "$i"; done
for ((i = 0; i < n; i++)); do /bin/sh -c 'exit 3' "${tag}B" "$i"; done
