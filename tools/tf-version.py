"""Print the installed TensorFlow's MAJOR.MINOR.0 (tf-keras is released in step with it)."""

import sys
from importlib import metadata

for name in ("tensorflow-cpu", "tensorflow", "tensorflow-macos"):
    try:
        major, minor = metadata.version(name).split(".")[:2]
    except metadata.PackageNotFoundError:
        continue
    print(f"{major}.{minor}.0")
    sys.exit(0)
sys.exit("no TensorFlow installed: tf-keras needs one")
