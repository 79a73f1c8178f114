"""The console's pages in rail order: names, Chinese titles, shortcuts and factories.

This module must stay free of Qt imports: ``duty-console --list-views`` and ``--view``
validation import it and must return instantly. A page's factory is a dotted path
(``module:Class``) imported only when the page is first shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EMPTY_PAGE = "console.views.pages.empty_page:EmptyPage"
THEME_SHORTCUT = "Ctrl+Shift+T"  # switch dark/light theme


@dataclass(frozen=True)
class ViewSpec:
    """One page of the console."""

    name: str  # stable, used by --view, settings and tests
    title: str  # Chinese title shown in the rail and on the page
    shortcut: str  # QKeySequence text, portable form
    factory: str  # "package.module:Class", built lazily
    glyph: str  # short glyph drawn as the rail icon
    summary: str = ""  # what the page is for (shown by placeholder pages)
    planned: tuple[str, ...] = field(default=())  # what later issues add (placeholder pages)
    # (tab name, Chinese title) of the page's tabs; ``--view NAME:TAB`` opens one.
    tabs: tuple[tuple[str, str], ...] = field(default=())


VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(
        "intake",
        "接警处置",
        "Ctrl+1",
        "console.views.pages.intake_page:make_intake_page",
        "警",
        "接警登记、事件处置和信息报送（首报/续报/终报）将在此处完成。",
        (
            "来电登记：时间、地点、事情经过、已通知单位、来电人信息，记录到分钟",
            "事件分类分级：四大类突发事件及子类，特别重大至一般四级",
            "信息报送：首报、续报、终报，按事件类别提示报送时限",
            "值班日志与交接班：未办结事项自动移交下一班",
        ),
    ),
    ViewSpec(
        "risk-map",
        "识别一张图",
        "Ctrl+2",
        "console.views.pages.risk_map_page:RiskMapPage",
        "图",
        "全县风险点、避灾安置场所、救援队伍和水文雨量站一图呈现。",
    ),
    ViewSpec(
        "monitor",
        "雨水情",
        "Ctrl+Shift+R",
        "console.views.pages.monitor_page:MonitorPage",
        "雨",
        "各雨量站、水位站的时雨量、累计雨量和水位过程线，对照警戒、保证和汛限水位。",
    ),
    ViewSpec(
        "assessment",
        "研判一张单",
        "Ctrl+3",
        "console.views.pages.assessment_page:AssessmentPage",
        "研",
        "防汛防台风险研判单：雨情、水情、受威胁风险点、预警等级和工作任务。",
    ),
    ViewSpec(
        "control-table",
        "管控一张表",
        "Ctrl+4",
        "console.views.pages.control_page:ControlPage",
        "控",
        "按乡镇、村、风险点落实责任人和人员转移情况的管控表将在此处。",
        (
            "乡镇第一责任人、村级工作组及网格责任人",
            "应转、已转、安置点、投亲靠友、拒转、返回人数实时汇总",
            "高龄、残疾等特殊人群“一户一策”",
            "应转尽转、应转早转；必要时扩面转移",
        ),
    ),
    ViewSpec(
        "response-guide",
        "应急一指南",
        "Ctrl+5",
        "console.views.pages.guide_page:GuidePage",
        "指",
        "按灾种和响应等级列出谁做什么；启动响应后逐项勾选、升级降级、导出工作清单。",
        tabs=(("responses", "应急响应"), ("guide", "指南"), ("six", "山洪六落实")),
    ),
    ViewSpec(
        "case-library",
        "案例一个库",
        "Ctrl+6",
        "console.views.pages.case_page:CaseLibraryPage",
        "案",
        "历史灾害事件的经过、雨水情、处置、伤亡损失、有效做法和经验教训，可按灾种、地点检索。",
        tabs=(("cases", "案例"), ("plans", "预案库")),
    ),
    ViewSpec(
        "command",
        "指挥一平台",
        "Ctrl+7",
        "console.views.pages.command_page:CommandPage",
        "挥",
        "指令下达、逐级叫应确认和执行反馈。",
    ),
    ViewSpec(
        "teams",
        "队伍与值班",
        "Ctrl+8",
        "console.views.pages.teams_page:TeamsPage",
        "队",
        "救援队伍名录与值班安排。",
        tabs=(("teams", "队伍"), ("roster", "排班"), ("handover", "交接班"), ("log", "值班日志")),
    ),
    ViewSpec(
        "video",
        "视频监控",
        "Ctrl+9",
        "console.views.pages.video_page:VideoPage",
        "视",
        "雪亮工程、水利、森林防火摄像机及单兵、布控球、无人机视频汇聚。",
        # The grids, so ``--view video:9`` opens the 3x3 grid (screenshots, a wall's preset).
        tabs=(("1", "单画面"), ("4", "四画面"), ("9", "九画面"), ("16", "十六画面")),
    ),
    ViewSpec(
        "wall",
        "大屏模式",
        "Ctrl+0",
        "console.views.pages.wall_page:WallPage",
        "屏",
        "指挥大厅大屏：选择显示器，每块屏的画面布局和内容，轮播与本机预设。",
    ),
    ViewSpec(
        "contacts",
        "通讯录",
        "Ctrl+Shift+L",
        "console.views.pages.contacts_page:ContactsPage",
        "讯",
        "县领导、乡镇、村级工作组和网格责任人的联系方式；按地点查看谁负责。",
    ),
    ViewSpec(
        "data",
        "基础数据",
        "Ctrl+Shift+D",
        "console.views.pages.data_page:DataPage",
        "数",
        "乡镇街道、村（社区）、风险点、避灾安置场所、救援队伍和水文雨量站的名录与编辑，"
        "以及临界雨量、面雨量预报和预警信号。",
    ),
    ViewSpec(
        "sync",
        "同步状态",
        "Ctrl+Shift+Y",
        "console.views.pages.sync_page:SyncPage",
        "同",
        "本机待同步的操作与服务器连接状态。",
    ),
    ViewSpec(
        "settings",
        "设置",
        "Ctrl+,",
        "console.views.pages.settings_page:SettingsPage",
        "设",
        "界面主题、值班员和本机设置。",
    ),
)

VIEW_NAMES: tuple[str, ...] = tuple(spec.name for spec in VIEWS)
DEFAULT_VIEW = "intake"


def split_view(text: str) -> tuple[str, str | None]:
    """``"teams:roster"`` -> ("teams", "roster"); a plain page name has no tab."""
    name, _, tab = text.partition(":")
    return name, (tab or None)


def is_view_name(text: str) -> bool:
    """A page name, or a page name and one of its tabs (``teams:roster``)."""
    name, tab = split_view(text)
    if name not in VIEW_NAMES:
        return False
    return tab is None or tab in dict(view_spec(name).tabs)


def view_choices() -> list[str]:
    """Every name ``--view`` takes, tabs included, in rail order."""
    out: list[str] = []
    for spec in VIEWS:
        out.append(spec.name)
        out.extend(f"{spec.name}:{tab}" for tab, _title in spec.tabs)
    return out


def view_spec(name: str) -> ViewSpec:
    """The spec called ``name``; KeyError when there is none."""
    for spec in VIEWS:
        if spec.name == name:
            return spec
    raise KeyError(name)
