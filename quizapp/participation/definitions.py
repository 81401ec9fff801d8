"""What every participation figure means, in the words the page and every export show.

The texts state the rules :mod:`quizapp.participation.queries` applies; a change to one is a
change to the other.
"""

from __future__ import annotations

from quizapp.campaigns.models import Campaign
from quizapp.numbers import NOT_APPLICABLE, number_text, percent_text
from quizapp.quizzes.models import Counting, Quiz

#: The figures of a row, in display order (a report shows those :func:`headings` names).
FIELDS = (
    "eligible",
    "participants",
    "participation_rate",
    "deferred",
    "completed",
    "completion_rate",
    "passed",
    "pass_rate",
    "average_score",
    "average_minutes",
    "times",
)

#: Decimals of each average on the page and in the .xlsx and .csv alike: 平均分 two, as the
#: quiz's own results; 人均学习时长 one, as each member's minutes.
PLACES = {"average_score": 2, "average_minutes": 1}


def figure_text(name: str, value: float | int | None, *, fixed: bool = False) -> str:
    """Return a figure of a row as text: a rate in percent, an average with its
    :data:`PLACES` decimals (always that many when ``fixed``), "—" for no value."""
    if value is None:
        return NOT_APPLICABLE
    if name.endswith("_rate"):
        return percent_text(value)
    if name in PLACES:
        return number_text(value, PLACES[name], fixed=fixed)
    return str(value)


def subject_kind(subject: Campaign | Quiz | None) -> str:
    """Return campaign, quiz or range (a free date range, no subject)."""
    if subject is None:
        return "range"
    if isinstance(subject, Campaign):
        return "campaign"
    if isinstance(subject, Quiz):
        return "quiz"
    raise TypeError(f"participation of {subject!r} is not defined")


def _word(subject: Campaign | Quiz | None) -> str:
    """参考 for a quiz, 参训 for a training class, 参学 otherwise."""
    if isinstance(subject, Quiz):
        return "参考"
    return "参训" if isinstance(subject, Campaign) and subject.is_training_class else "参学"


def has_pass(subject: Campaign | Quiz | None) -> bool:
    """Tell whether pass count and pass rate apply: a quiz, or a campaign requiring quizzes."""
    return isinstance(subject, Quiz) or (isinstance(subject, Campaign) and bool(subject.quizzes))


def headings(subject: Campaign | Quiz | None) -> dict[str, str]:
    """Return the column headings of the figures that apply to ``subject``, in display order."""
    word, kind = _word(subject), subject_kind(subject)
    names = {
        "eligible": f"应{word}人数",
        "participants": {"campaign": "参与人数", "quiz": "参考人数", "range": "参学人数"}[kind],
        "participation_rate": f"{word}率",
        "completed": "完成人数",
        "completion_rate": "完成率",
        "passed": "及格人数",
        "pass_rate": "及格率",
        "average_score": "平均分",
        "average_minutes": "人均学习时长（分钟）",
        "times": f"{word}人次",
        "deferred": "缓考人数",
    }
    skip = set()
    if kind != "campaign":
        skip |= {"completed", "completion_rate"}
    if not has_pass(subject):
        skip |= {"passed", "pass_rate"}
    if kind != "quiz":
        skip.add("average_score")
    if kind != "quiz" or not subject.has_member_exceptions:
        skip.add("deferred")  # only quizzes where someone was granted 缓考 or 补考
    return {key: names[key] for key in FIELDS if key not in skip}


def _requirements(campaign: Campaign) -> str:
    parts = []
    if campaign.minute_target:
        extra = "（含所参加线下学习的时长）" if campaign.offline_counts_as_minutes else ""
        parts.append(f"任务期间在线学习{extra}满 {campaign.minute_target} 分钟")
    if campaign.materials:
        parts.append(f"{len(campaign.materials)} 份必学资料各学满其预计学习时长")
    if campaign.quizzes:
        must = sum(cq.must_pass for cq in campaign.quizzes)
        text = f"{len(campaign.quizzes)} 项必答测试均已交卷"
        if must:
            text += f"（其中 {must} 项须及格，按各测试的计分方式取成绩）"
        parts.append(text)
    if campaign.offline_sessions_required:
        parts.append(f"参加任务期间举办的线下学习 {campaign.offline_sessions_required} 次")
    if campaign.reflections_required:
        parts.append(f"心得体会审阅通过 {campaign.reflections_required} 篇")
    return "；".join(parts)


def definitions(subject: Campaign | Quiz | None) -> list[tuple[str, str]]:
    """Return (term, definition) pairs in Chinese for the page and every export."""
    kind, names = subject_kind(subject), headings(subject)
    eligible, participants, times = names["eligible"], names["participants"], names["times"]
    people = f"应{_word(subject)}人员"
    period = "所选开始日期至结束日期，按北京时间计日，首尾两天都包括。"
    audience = "不限参加范围。"
    thing = {"campaign": "学习任务", "quiz": "测试", "range": ""}[kind]
    if kind == "campaign" and subject.is_training_class:
        thing = "培训班"
    if kind == "campaign":
        period += (
            f"所选日期超出{thing}起止日期的部分不计：统计期取所选日期与{thing}起止日期重叠的"
            f"日子；应参学人员、是否参与、人均学习时长和人次都按这一统计期判断，是否完成按"
            f"{thing}本身的起止日期判断。"
        )
    elif kind == "quiz":
        period += "通常即测试开放的日期；答卷不按日期筛选，统计本测试的全部已交卷答卷。"
    if kind != "range":
        audience = (
            f"还须属于本{thing}的参加范围：指定名单的，只计名单上的人员；按组织选定的，"
            "看其统计期内最后所在的党支部是否在所选组织（含下级）之内；限定政治面貌的，"
            "按人员当前的政治面貌判断。"
        )
    scope = (
        "您管理范围内的全部党支部，以及各单位和管理范围最上级的汇总行；已撤销且统计期内"
        f"没有{people}的支部不列出。"
    )
    who = (
        "按组织关系转接记录统计：统计期内任一天在某党支部有组织关系的人员，计入其统计期内"
        "最后所在的党支部，每人只计一次。统计期内转接组织关系的，只计入转入的（统计期内最后"
        "所在的）支部；统计期内调离或停用账号的，仍计入其离开前所在的支部（统计期内曾应参加）；"
        "统计期开始前已离开的人员，以及统计期内没有组织关系记录的账号（如系统管理员）不计入。"
    )
    terms = [("统计期", period), ("统计范围", scope), (eligible, who + audience)]

    if kind == "campaign":
        started = (
            f"{people}中统计期内有下列任一项的人数：某日（北京时间）有在线学习时长、参加"
            f"线下学习（无论{thing}是否要求线下学习）、交过必答测试答卷，或提交的本{thing}"
            f"心得体会已审阅通过（{thing}要求心得体会时）；已完成的人员都计入。"
        )
        done = (
            f"{people}中各项要求全部达到的人数，与{thing}进度的判断相同。本{thing}的要求："
            f"{_requirements(subject) or '无'}。"
        )
        terms += [
            (participants, started),
            (
                names["participation_rate"],
                f"{participants} ÷ {eligible}；{eligible}为 0 时显示“—”。",
            ),
            (names["completed"], done),
            (
                "完成率",
                f"完成人数 ÷ {eligible}，与{names['participation_rate']}并列；{eligible}为 0 时显示“—”。",
            ),
        ]
    elif kind == "quiz":
        sat = (
            f"{people}中对本测试至少交卷一次的人数（含到时自动交卷）；只开始答题、尚未交卷的"
            "不计入。"
        )
        terms.append((participants, sat))
    else:
        active = (
            f"{people}中统计期内有下列任一项的人数：在线学习时长（多于 0 秒）、交卷"
            "（任一测试）、参加线下学习、提交心得体会且已审阅通过。"
        )
        terms.append((participants, active))
    if kind != "campaign":
        terms.append(
            (
                names["participation_rate"],
                f"{participants} ÷ {eligible}；{eligible}为 0 时显示“—”。",
            )
        )

    if kind == "quiz":
        counting = Counting(subject.counting).label
        passed = (
            "计分成绩达到及格线的参考人数；及格率 = 及格人数 ÷ 参考人数，参考人数为 0 时显示“—”。"
        )
        if "deferred" in names:
            terms.append(
                (
                    "缓考人数、缓考、补考",
                    f"{people}中缓考申请已获批准、个人考试时间尚未结束（按统计时刻）且尚未交卷"
                    f"的人数。他们不计入{participants}，也不算未参加：人员明细的“缓考/补考”一栏"
                    "写“缓考”，未参加原因写明缓考原因和个人考试时间；个人考试时间结束后仍未"
                    f"交卷的，按未参加计。个人考试时间内交卷的，与其他人一样计入{participants}。"
                    "批准前已在测试时间内开始答题的，缓考不生效，按其答卷计。"
                    "获准补考（增加答题次数）的人员写“补考”，补考的答卷同样按计分方式取成绩。",
                )
            )
        terms += [
            ("计分成绩", f"每人从已交卷的答卷中按本测试的计分方式（{counting}）取一次成绩。"),
            ("及格人数、及格率", passed),
            ("平均分", "参考人员计分成绩之和 ÷ 参考人数；未参考的人员不计入。"),
        ]
    elif has_pass(subject):
        passed = (
            "完成人员中，每项必答测试的计分答卷（按各测试的计分方式取）都及格的人数；"
            "及格率 = 及格人数 ÷ 完成人数，完成人数为 0 时显示“—”。"
        )
        column = (
            "人员明细中已完成的人员：每项必答测试的计分答卷都及格为“是”，否则为“否”；"
            "未完成的人员为“—”（不判断是否及格，不计入及格人数；所差的项目见“未完成的项目”）。"
        )
        terms += [("及格人数、及格率", passed), ("是否及格", column)]
    minutes = (
        f"{people}在统计期内各日（北京时间）的在线学习时长之和 ÷ {eligible}。只计服务器"
        "认定的在线学习时长，线下学习不计入；统计期内转接的人员，其统计期内的全部时长"
        "计入最后所在的支部。"
    )
    terms.append((names["average_minutes"], minutes))

    if kind == "quiz":
        counted = f"{people}对本测试交卷的答卷份数：同一人交卷 N 次计 N 人次。"
    elif kind == "campaign":
        counted = (
            f"{people}每参加一次计 1 人次，为下列之和：统计期内有在线学习时长的日子（同一人"
            "同一天计 1 次，北京时间）、参加的统计期内举办的线下学习（每场计 1 次）、统计期内"
            f"交卷的必答测试答卷（每份计 1 次）、统计期内提交并已审阅通过的本{thing}心得体会"
            f"（{thing}要求心得体会时，每篇计 1 次）。"
        )
    else:
        counted = (
            f"{people}每参加一次计 1 人次，为下列之和：统计期内有在线学习时长的日子（同一人"
            "同一天计 1 次，北京时间）、参加的统计期内举办的线下学习（每场计 1 次）、统计期内"
            "交卷的答卷（任一测试，每份计 1 次）、统计期内提交并已审阅通过的心得体会（每篇计"
            " 1 次）。有人参学时人次不少于参学人数。"
        )
    rollup = (
        "单位和管理范围最上级一行的人数、人次、学习时长和成绩为其下属全部党支部之和；"
        "其中的比率和平均数由这些合计数重新计算，不是各支部比率的平均。"
    )
    terms += [(times, counted), ("单位及合计", rollup)]
    return terms
