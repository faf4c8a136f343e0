"""Composing documents: a department named once where several functions share it."""
from __future__ import annotations

from kitgen.ooxml import model as m
from kitgen.render.compose import tidy_departments, tidy_text

NAMES = ("售后服务部", "销售部", "配件部")


def test_a_shared_department_is_named_once():
    assert tidy_text("由售后服务部、售后服务部负责", NAMES) == "由售后服务部负责"
    assert tidy_text("售后服务部会同售后服务部核实", NAMES) == "售后服务部核实"
    assert tidy_text("售后服务部、销售部、售后服务部共同", NAMES) == "售后服务部、销售部共同"
    assert tidy_text("售后服务部会同销售部", NAMES) == "售后服务部会同销售部"     # two departments: kept
    assert tidy_text("客户服务部、客户服务部", NAMES) == "客户服务部、客户服务部"   # not a department of this company


def test_duty_rows_of_one_department_become_one_row():
    table = m.Table(["部门/岗位", "职责"], [["售后服务部", "负责受理。"], ["销售部", "负责销售。"],
                                         ["售后服务部", "负责质检"], ["售后服务部", "负责受理。"]])
    [out] = tidy_departments([table], list(NAMES))
    assert out.rows == [["售后服务部", "负责受理。负责质检"], ["销售部", "负责销售。"]]
