"""Pure ladder rules: steps, catch-up, overdue, stage replies, returned appeals, the send window."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.reminders import ladder as L
from handlers.reminders.ladder import AppealFacts, due_items, in_send_window, ladder_steps

SH = ZoneInfo("Asia/Shanghai")
D = date


def facts(**kw) -> AppealFacts:
    base = dict(id=7, status="in_progress", level="county", start=D(2026, 2, 2), deadline=D(2026, 2, 9),
                last_activity=D(2026, 2, 2))
    base.update(kw)
    return AppealFacts(**base)


def kinds(items) -> list[tuple[str, str]]:
    return [(i.kind, i.audience) for i in items]


def test_steps_of_a_five_day_appeal():
    assert ladder_steps(D(2026, 2, 2), D(2026, 2, 9)) == (
        ("half", D(2026, 2, 5)), ("four_fifths", D(2026, 2, 6)), ("due", D(2026, 2, 9)))


def test_steps_across_the_spring_festival_use_the_make_up_saturday():
    # 15 working days from Wed 02-04: the 8th is the make-up Saturday 02-14, the 12th is 02-27.
    assert ladder_steps(D(2026, 2, 4), D(2026, 3, 3)) == (
        ("half", D(2026, 2, 14)), ("four_fifths", D(2026, 2, 27)), ("due", D(2026, 3, 3)))


def test_short_ladders_drop_colliding_steps():
    assert ladder_steps(D(2026, 3, 2), D(2026, 3, 3)) == (("due", D(2026, 3, 3)),)
    # N=2: half on day 1, four fifths would be the due day itself.
    assert ladder_steps(D(2026, 3, 2), D(2026, 3, 4)) == (("half", D(2026, 3, 3)), ("due", D(2026, 3, 4)))
    # A deadline on a holiday: the due reminder goes out on the last working day before it.
    assert ladder_steps(D(2026, 2, 9), D(2026, 2, 22))[-1] == ("due", D(2026, 2, 14))


def test_only_the_most_advanced_step_is_due_after_downtime():
    assert kinds(due_items(facts(), D(2026, 2, 5), 5)) == [("half", "unit")]
    assert kinds(due_items(facts(), D(2026, 2, 6), 5)) == [("four_fifths", "unit")]
    assert kinds(due_items(facts(), D(2026, 2, 9), 5)) == [("due", "unit"), ("due", "reviewer")]
    assert due_items(facts(), D(2026, 2, 4), 5) == []


def test_nothing_on_days_off_and_nothing_for_stopped_clocks():
    assert due_items(facts(deadline=D(2026, 2, 12)), D(2026, 2, 15), 5) == []  # Sunday in the holiday
    for status in ("submitted", "city_review", "resolved", "closed"):
        assert due_items(facts(status=status), D(2026, 2, 9), 5) == []


def test_overdue_is_daily_and_escalates_once_then_reaches_admins():
    day1 = due_items(facts(), D(2026, 2, 10), 5)
    assert kinds(day1) == [("overdue", "unit"), ("escalate", "reviewer")]
    day5 = due_items(facts(), D(2026, 2, 14), 5)  # make-up Saturday, 5th overdue working day
    assert [i.days for i in day5] == [5, 5]
    day6 = due_items(facts(), D(2026, 2, 24), 5)
    assert kinds(day6) == [("overdue", "unit"), ("escalate", "reviewer"), ("admin", "admins")]
    assert day1[1].key == day6[1].key and day1[0].key != day6[0].key
    assert day6[0].key == "rem:over:7:2026-02-09:2026-02-24"


def test_stage_reply_every_n_idle_days_before_the_due_day():
    f = facts(start=D(2026, 2, 4), deadline=D(2026, 3, 3), last_activity=D(2026, 2, 4))
    assert ("stage", "unit") not in kinds(due_items(f, D(2026, 2, 10), 5))
    first = [i for i in due_items(f, D(2026, 2, 11), 5) if i.kind == "stage"]
    assert first and first[0].days == 5 and first[0].key == "rem:stage:7:2026-02-04:1"
    later = facts(start=D(2026, 2, 4), deadline=D(2026, 3, 3), last_activity=D(2026, 2, 12))
    assert [i.key for i in due_items(later, D(2026, 2, 26), 5) if i.kind == "stage"] == ["rem:stage:7:2026-02-12:1"]
    assert not [i for i in due_items(later, D(2026, 3, 3), 5) if i.kind == "stage"]


def test_extension_starts_a_fresh_ladder():
    old = due_items(facts(start=D(2026, 2, 9), deadline=D(2026, 2, 14), last_activity=D(2026, 2, 12)), D(2026, 2, 13), 5)
    assert kinds(old) == [("four_fifths", "unit")]
    new = due_items(facts(start=D(2026, 2, 9), deadline=D(2026, 2, 28), last_activity=D(2026, 2, 13)), D(2026, 2, 14), 5)
    assert kinds(new) == [("half", "unit")] and "2026-02-28" in new[0].key


def test_returned_reminds_the_cadre_at_most_three_times():
    f = facts(status="returned", deadline=None, start=None, last_activity=D(2026, 2, 5))
    got = {d: [i.key for i in due_items(f, d, 5)] for d in (D(2026, 2, 6), D(2026, 2, 9), D(2026, 2, 11),
                                                           D(2026, 2, 13), D(2026, 2, 27))}
    assert got[D(2026, 2, 6)] == []
    assert got[D(2026, 2, 9)] == ["rem:ret:7:2026-02-05:1"]
    assert got[D(2026, 2, 11)] == ["rem:ret:7:2026-02-05:2"]
    assert got[D(2026, 2, 13)] == got[D(2026, 2, 27)] == ["rem:ret:7:2026-02-05:3"]


def test_send_window():
    assert not in_send_window(datetime(2026, 2, 9, 8, 59, tzinfo=SH), 9)
    assert in_send_window(datetime(2026, 2, 9, 9, 0, tzinfo=SH), 9)
    assert in_send_window(datetime(2026, 2, 9, 19, 59, tzinfo=SH), 9)
    assert not in_send_window(datetime(2026, 2, 9, 20, 0, tzinfo=SH), 9)
    assert in_send_window(datetime(2026, 2, 14, 9, 0, tzinfo=SH), 9)  # make-up Saturday
    assert not in_send_window(datetime(2026, 2, 17, 9, 0, tzinfo=SH), 9)  # Spring Festival
    assert in_send_window(datetime(2026, 9, 20, 10, 0, tzinfo=SH), 9)  # make-up Sunday
    assert not in_send_window(datetime(2026, 10, 5, 10, 0, tzinfo=SH), 9)  # National Day
    assert in_send_window(datetime(2026, 2, 9, 21, 30, tzinfo=SH), 21)  # a configured late hour is honoured
    assert not in_send_window(datetime(2026, 2, 9, 22, 0, tzinfo=SH), 21)
    assert L.ADMIN_LIST_AFTER_DAYS == 5
