"""What follows from a profile without being typed twice: deletions (删减) and the network mode."""
from __future__ import annotations

from dataclasses import dataclass

from kitgen.core.catalog import Catalog
from kitgen.core.industries import Industry
from kitgen.core.profile import Profile

PHYSICAL_DELIVERY = ("own_fleet", "third_party", "mixed")


@dataclass
class Deletion:
    id: str
    name: str
    reason: str
    origin: str          # derived | industry | exclusion


def has_delivery(p: Profile, industry: Industry) -> bool:
    """Whether the kit keeps the delivery clauses (5.2.3.1/5.2.3.2). Besides physical delivery, a
    trade may count its handover as delivery (pack.yaml ``handover``): a dealer's 新车交付 when the
    customer collects the car (``pickup``); a software vendor's 交付上线 when its own people or
    partners deploy the system (``deployment``)."""
    if industry.physical_delivery and p.delivery.model in PHYSICAL_DELIVERY:
        return True
    if industry.handover == "pickup" and p.delivery.model == "customer_pickup":
        return True
    return industry.handover == "deployment" and p.delivery.installation != "none"


def has_installation(p: Profile) -> bool:
    return p.delivery.installation != "none"


def recycling(p: Profile, industry: Industry) -> bool:
    return industry.recycling if p.recycling is None else p.recycling


def network_mode(p: Profile) -> str:
    direct = sum(1 for o in p.outlets if o.operator == "direct")
    entrusted = len(p.outlets) - direct
    if not p.outlets:
        return "无网点"
    if entrusted == 0:
        return "全直属"
    if direct == 0:
        return "全委托"
    return "部分委托"


def deletions(p: Profile, industry: Industry, catalog: Catalog) -> dict[str, Deletion]:
    """Every deleted indicator (second- or third-level) with its reason; a deleted second-level
    indicator deletes its clauses too. Derived first, then the industry's, then the consultant's
    exclusions (whose reason wins: it is the one the consultant wrote for this client)."""
    out: dict[str, Deletion] = {}
    inds = catalog.indicators

    def delete(ind_id: str, reason: str, origin: str) -> None:
        if ind_id not in inds:
            return                      # a custom catalog may lack the clause: nothing to delete
        if origin == "derived" and ind_id in industry.reasons:
            reason = industry.reasons[ind_id]      # the trade's own words for the same deletion
        out[ind_id] = Deletion(ind_id, inds[ind_id].name, reason, origin)
        for child in catalog.descendants(ind_id):
            out[child] = Deletion(child, inds[child].name, f"随 {ind_id} {inds[ind_id].name} 一并删减：{reason}", origin)

    delivers = has_delivery(p, industry)
    installs = has_installation(p)
    noun = industry.product_noun
    if not delivers and not installs:
        if industry.handover == "deployment":
            reason = f"本公司{noun}通过网络交付，由{industry.customer}自助开通使用，不涉及配送与部署实施"
        elif not industry.physical_delivery:
            reason = f"本公司{noun}通过网络交付，不涉及实物配送与安装"
        elif p.delivery.model == "customer_pickup":
            reason = f"本公司{noun}由顾客到店自提（当面交付验收），不提供配送服务，且{noun}无需安装"
        else:
            reason = f"本公司{noun}不涉及配送与安装服务"
        delete("5.2.3", reason, "derived")
    elif delivers and not installs:
        delete("5.2.3.3", f"本公司{noun}无需安装调试，仅提供配送服务", "derived")
    elif installs and not delivers:
        why = "由顾客自提" if p.delivery.model == "customer_pickup" else "不由本公司配送"
        for ind_id in ("5.2.3.1", "5.2.3.2"):
            delete(ind_id, f"本公司{noun}{why}，仅提供安装调试服务", "derived")
    if not recycling(p, industry):
        delete("5.2.6", f"本公司{noun}不属于国家规定须由经营者承担回收责任的废弃商品，本公司不开展废弃商品回收", "derived")
    for ind_id, reason in industry.delete:
        if ind_id not in out:
            delete(ind_id, reason, "industry")
    for ex in p.exclusions:
        delete(ex.indicator, ex.reason, "exclusion")
    return dict(sorted(out.items(), key=lambda kv: [int(x) for x in kv[0].split(".")]))
