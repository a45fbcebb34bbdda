#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or one line saying what to install.
# Order: python3.12/3.13/3.14 on PATH (a pyenv shim may refuse them), a pyenv-installed 3.12+, python3.
set -u
ok() { "$@" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
real() { "$@" -c 'import sys; print(sys.executable)'; }
for c in python3.12 python3.13 python3.14; do
  if command -v "$c" >/dev/null 2>&1 && ok "$c"; then real "$c"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.[0-9]+)?$' | sort -V); do
    for exe in "$root/versions/$v/bin/python3" "$root/versions/$v/bin/python"; do
      if [ -x "$exe" ] && ok "$exe"; then real "$exe"; exit 0; fi
    done
  done
fi
if command -v python3 >/dev/null 2>&1 && ok python3; then real python3; exit 0; fi
echo "tracehybrid needs Python >= 3.12: install python3.12 (e.g. 'apt-get install python3.12' or 'pyenv install 3.12')" >&2
exit 1
