"""Kits of different trades differ where the trade shows: after masking names, numbers and the
trade's nouns, at most 40 % of one kit's trade-facing sentences (delivery/deployment, repair/support,
quality guarantee, recycling, product information, record forms) reappear in the other's."""
from __future__ import annotations

import pytest

from tests.packs.kits import masked_sentences, pack_plan, profile_for, shared_share

PAIRS = [("software", "machinery"), ("machinery", "furniture"), ("household_appliances", "electronics")]
LIMIT = 0.40


@pytest.mark.parametrize("a,b", PAIRS)
def test_trade_facing_text_is_the_trades_own(a, b):
    for pack in (a, b):
        if not profile_for(pack).is_file():
            pytest.fail(f"no profile for {pack}")
    sa, sb = masked_sentences(pack_plan(a)), masked_sentences(pack_plan(b))
    ab, ba = shared_share(sa, sb), shared_share(sb, sa)
    print(f"\n{a} vs {b}: {ab:.0%} of {a}'s {len(sa)} sentences reappear in {b}; "
          f"{ba:.0%} of {b}'s {len(sb)} in {a}")
    assert max(ab, ba) <= LIMIT, f"{a} vs {b}: {ab:.0%} / {ba:.0%} shared (limit {LIMIT:.0%})"


if __name__ == "__main__":          # python -m tests.packs.test_similarity: print every pair of the same role
    from itertools import combinations

    from tests.packs.kits import pack_ids
    plans = {p: pack_plan(p) for p in pack_ids() if profile_for(p).is_file()}
    sents = {p: masked_sentences(pl) for p, pl in plans.items()}
    for a, b in combinations(sorted(plans), 2):
        if plans[a].profile.role == plans[b].profile.role:
            print(f"{a:22} {b:22} {shared_share(sents[a], sents[b]):4.0%} {shared_share(sents[b], sents[a]):4.0%}")
