"""Peak resident size of a process (`VmHWM` in /proc/<pid>/status), no dependency needed."""

from __future__ import annotations

from pathlib import Path


def peak_resident_mib(pid: int) -> float:
    """The most memory the process has held resident since it started, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            kib = int(line.split()[1])
            return kib / 1024
    raise RuntimeError(f"process {pid} reports no VmHWM")
