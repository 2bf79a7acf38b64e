#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict (from linux-source-6.12) on every C source and
# header in the tree that git knows about (tracked or untracked, not
# ignored).  Any ERROR, WARNING or CHECK fails.
set -euo pipefail

cd "$(dirname "$0")/.."
src=$(scripts/kernel-source.sh)

mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' | sort -u)
if [ ${#files[@]} -eq 0 ]; then
	echo "checkpatch: no source files found" >&2
	exit 1
fi

# --no-tree: this is not a kernel tree; checkpatch still reads its
# spelling and const-struct lists from its own directory.
# SPDX_LICENSE_TAG is kept; FILE_PATH_CHANGES only applies to patches.
if "$src/scripts/checkpatch.pl" --strict --no-tree --quiet \
		--show-types --ignore FILE_PATH_CHANGES -f "${files[@]}"; then
	echo "checkpatch: ${#files[@]} files clean (--strict)"
else
	echo "checkpatch: problems above"
	exit 1
fi
