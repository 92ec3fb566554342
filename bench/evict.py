#!/usr/bin/env python3
"""Drops files from the page cache, so that a relay started next maps its binary as after a fresh pull.

A binary just written (a copy, a link) sits whole in the page cache, and the kernel's fault-around then
maps 64 KB around every page the relay touches; a binary read back from disk maps only what was read
ahead. The same build measured 1.5 MB more peak RSS when just copied. The memory figures start every
build from here, so they compare builds, not how recently each file was written.
  python3 bench/evict.py FILE...
"""
import os
import sys

for path in sys.argv[1:]:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)  # dirty pages cannot be dropped
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)
