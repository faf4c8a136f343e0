"""Count a kit's open questions and placeholders (issue 12 target: ≤ 150 placeholders, ≤ 70 questions).

    python tools/count_open.py KIT_DIR [KIT_DIR …]
"""
import json
import sys
from pathlib import Path


def counts(kit: Path) -> tuple[int, int]:
    data = json.loads((kit / "kit.json").read_text(encoding="utf-8"))
    ask = [q for q in data.get("questions", []) if q.get("status") == "ask"]
    return len(ask), sum(q.get("count", 0) for q in ask)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        q, p = counts(Path(arg))
        print(f"{arg}: {q} questions, {p} placeholders")
