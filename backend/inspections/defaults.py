"""The checklists the product ships with (version 1 of each template code).

The enterprise checklist follows the six baseline requirements of a model enterprise
(示范单位, seed 001); the device checklists follow the daily checks a safety manager
does on each category (日管控); the weekly and monthly ones Shanghai's 周排查 and 月调度.
Bureau admins change them by publishing a new version.
"""

from __future__ import annotations


def _section(code: str, title: str, *items: tuple[str, str]) -> dict:
    return {"code": code, "title": title, "items": [{"code": f"{code}.{c}", "text": t} for c, t in items]}


ENTERPRISE = {
    "code": "enterprise_baseline",
    "purpose": "enterprise",
    "device_category": None,
    "title": "使用单位特种设备安全管理检查表（示范单位六项基本要求）",
    "sections": [
        _section(
            "responsibility",
            "一、安全管理责任",
            ("org", "设置特种设备安全管理机构或明确专（兼）职安全管理人员，有任命文件"),
            ("manager_cert", "安全管理员持有效的特种设备安全管理人员证"),
            ("duties", "主要负责人、安全总监、安全员职责明确并落实到人"),
        ),
        _section(
            "registration",
            "二、使用登记",
            ("ledger", "建立特种设备台账，台账与现场设备一致"),
            ("registered", "在用特种设备全部办理使用登记，登记标志置于显著位置"),
            ("idle_scrapped", "停用、报废设备按规定办理停用或注销手续"),
        ),
        _section(
            "periodic_inspection",
            "三、定期检验",
            ("ledger", "建立定期检验台账，记录检验日期和下次检验日期"),
            ("on_time", "设备在检验有效期内，无超期未检"),
            ("accessories", "安全附件（安全阀、压力表等）按期校验"),
            ("findings", "检验报告提出的问题已整改并有记录"),
        ),
        _section(
            "rules",
            "四、管理制度与应急",
            ("responsibility", "建立岗位责任、隐患排查治理、教育培训等安全管理制度"),
            ("maintenance", "建立维护保养、定期自行检查和安全会议制度并有执行记录"),
            ("procedures", "制定操作规程和维护保养规程，张贴于作业现场"),
            ("emergency_plan", "制定事故应急专项预案，每年至少演练一次并有记录"),
            ("key_monitoring", "重点监控设备有专门的监控措施"),
        ),
        _section(
            "technical_files",
            "五、设备安全技术档案",
            ("certificates", "设计文件、产品质量合格证明、安装及使用维护说明齐全"),
            ("inspection_reports", "定期检验报告和监督检验证明存档"),
            ("maintenance_records", "日常使用状况、维护保养和自行检查记录完整"),
            ("alteration_records", "改造、修理、安装记录及相关资料存档"),
        ),
        _section(
            "personnel",
            "六、作业人员",
            ("operator_certs", "作业人员持有效的特种设备作业人员证，建立证件档案"),
            ("training", "建立安全教育培训档案，每年开展培训并有签到和考核记录"),
            ("on_duty", "作业人员在岗持证，无无证上岗"),
        ),
    ],
}

_DEVICE_ITEMS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "elevator": (
        "电梯日常检查表",
        [
            ("sign", "使用标志和安全注意事项张贴在轿厢内显著位置且在有效期内"),
            ("alarm", "轿厢内紧急报警装置（对讲）有效，能与值班室通话"),
            ("doors", "层门、轿门开关顺畅，门锁可靠，关门防夹保护有效"),
            ("levelling", "平层准确，无明显台阶"),
            ("lighting", "轿厢照明和应急照明正常"),
            ("running", "运行平稳，无异响、异常振动"),
            ("maintenance", "维保单位按期（每15日）维保并有签字记录"),
        ],
    ),
    "boiler": (
        "锅炉日常检查表",
        [
            ("water_level", "水位计清晰，水位正常，高低水位报警有效"),
            ("pressure", "压力表在检定有效期内，指示正常"),
            ("safety_valve", "安全阀在校验有效期内，无泄漏、无卡阻"),
            ("water_treatment", "水质处理设备运行正常，水质化验有记录"),
            ("operator", "司炉人员持证上岗，运行记录完整"),
            ("leaks", "炉体、管道、阀门无跑冒滴漏"),
        ],
    ),
    "pressure_vessel": (
        "压力容器日常检查表",
        [
            ("pressure", "压力、温度在允许范围内，压力表指示正常"),
            ("safety_valve", "安全阀、爆破片等安全附件完好并在校验有效期内"),
            ("shell", "容器本体无变形、腐蚀、泄漏"),
            ("supports", "支座、基础牢固，接地可靠"),
            ("records", "运行记录和巡检记录完整"),
        ],
    ),
    "crane": (
        "起重机械日常检查表",
        [
            ("limits", "起升高度、运行行程限位器动作可靠"),
            ("brakes", "制动器工作可靠，制动片磨损未超标"),
            ("ropes", "钢丝绳无断丝、断股、变形，绳端固定可靠"),
            ("hook", "吊钩无裂纹，防脱钩装置有效"),
            ("overload", "起重量限制器有效"),
            ("operator", "司机和指挥人员持证上岗"),
        ],
    ),
    "field_vehicle": (
        "场（厂）内专用机动车辆日常检查表",
        [
            ("plate", "车辆有使用登记牌照并在检验有效期内"),
            ("brakes", "行车制动、驻车制动有效"),
            ("steering", "转向灵活，喇叭、灯光、倒车报警正常"),
            ("forks", "货叉、链条、门架无裂纹和异常磨损"),
            ("driver", "驾驶员持证上岗，不超载、不违章载人"),
        ],
    ),
    "gas_cylinder": (
        "气瓶日常检查表",
        [
            ("period", "气瓶在检验有效期内，无超期、报废气瓶"),
            ("labels", "警示标签、充装标签齐全"),
            ("storage", "存放场所通风良好，空瓶实瓶分开，有防倾倒措施"),
            ("valves", "瓶阀、瓶帽、防震圈完好"),
        ],
    ),
    "pressure_piping": (
        "压力管道日常检查表",
        [
            ("leaks", "管道、阀门、法兰无泄漏"),
            ("supports", "支吊架完好，无异常位移和振动"),
            ("insulation", "防腐层、保温层完好"),
            ("accessories", "安全附件和仪表在有效期内"),
        ],
    ),
    "amusement_ride": (
        "大型游乐设施日常检查表",
        [
            ("trial_run", "每日运营前空载试运行不少于两次并有记录"),
            ("restraints", "安全压杠、安全带锁紧可靠"),
            ("fences", "安全栅栏、乘客须知和警示标识完好"),
            ("operator", "操作人员持证上岗，紧急停止按钮有效"),
        ],
    ),
    "ropeway": (
        "客运索道日常检查表",
        [
            ("rope", "钢丝绳无断丝、松股，张紧装置正常"),
            ("brakes", "工作制动器和紧急制动器有效"),
            ("rescue", "救援设备完好，救援预案张贴"),
            ("records", "运营日志和巡检记录完整"),
        ],
    ),
}

DEVICE = [
    {
        "code": f"device_{category}",
        "purpose": "daily_device",
        "device_category": category,
        "title": title,
        "sections": [_section(category, "日常检查", *items)],
    }
    for category, (title, items) in _DEVICE_ITEMS.items()
]

WEEKLY = {
    "code": "weekly_investigation",
    "purpose": "weekly_investigation",
    "device_category": None,
    "title": "每周隐患排查记录（周排查）",
    "sections": [
        _section(
            "weekly",
            "周排查",
            ("daily_records", "本周各设备日管控记录齐全，问题已登记"),
            ("hazards", "对本周发现的隐患逐项排查，明确整改责任人和期限"),
            ("overdue", "核对检验有效期，本周无超期未检设备"),
            ("site", "作业现场安全警示、操作规程、应急设施完好"),
            ("report", "形成周排查报告，主要负责人签阅"),
        ),
    ],
}

MONTHLY = {
    "code": "monthly_dispatch",
    "purpose": "monthly_dispatch",
    "device_category": None,
    "title": "月度安全调度会议记录（月调度）",
    "sections": [
        _section(
            "monthly",
            "月调度",
            ("meeting", "主要负责人主持召开月度调度会议，安全管理员参加"),
            ("review", "听取本月日管控、周排查情况汇报"),
            ("hazards", "研究未整改隐患的整改措施、资金和期限"),
            ("plan", "部署下月安全管理重点工作"),
            ("minutes", "形成会议纪要并存档"),
        ),
    ],
}

DEFAULT_TEMPLATES: list[dict] = [ENTERPRISE, *DEVICE, WEEKLY, MONTHLY]
