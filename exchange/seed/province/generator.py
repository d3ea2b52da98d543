"""A deterministic, realistic synthetic catalog at province scale (省级目录合成); pure.

Given the seeded divisions (province, 21 prefecture cities, 122 counties), a department
count, an item count and a seed, `plan_catalog` yields departments in publication order
(the province first, then each city followed by its counties) with their items. Sector
departments (人社、医保、公安、市场监管 ...) exist at every level; affiliated units hang
under them; a county bureau's parent is the city bureau of its sector, the city bureau's
parent is the provincial one. Items combine each sector's data themes with qualifiers,
fields come from a pool of standard data elements plus theme fields, and the first item
that uses a data element becomes its authoritative source (the provincial departments
come first, as in the real census).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from exchange.catalog.departments.rules import DivisionInfo
from exchange.catalog.vocabulary import (
    UPDATE_FREQUENCY_LABELS,
    DataType,
    FieldRole,
    Level,
    MaskingRule,
    UpdateFrequency,
    UpdateMethod,
    UsageMethod,
)
from exchange.vocabulary import Grade, Opening, Sharing

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """A standard data element of the pool."""

    code: str
    key: str
    name_zh: str
    name_en: str
    data_type: DataType
    masking: MaskingRule = MaskingRule.NONE
    pattern: str | None = None
    max_length: int | None = None
    enum_values: tuple[str, ...] | None = None
    minimum: str | None = None
    maximum: str | None = None
    format: str = ""


def _e(key: str, zh: str, en: str, t: DataType, **kw: object) -> ElementSpec:
    return ElementSpec(code="", key=key, name_zh=zh, name_en=en, data_type=t, **kw)  # type: ignore[arg-type]


STR, INT, DEC, DAY, TIME = (
    DataType.STRING,
    DataType.INTEGER,
    DataType.DECIMAL,
    DataType.DATE,
    DataType.DATETIME,
)
_POOL: tuple[ElementSpec, ...] = (
    _e("person_name", "姓名", "Name", STR, masking=MaskingRule.NAME, max_length=50),
    _e(
        "id_number",
        "公民身份号码",
        "Citizen ID number",
        STR,
        masking=MaskingRule.ID_NUMBER,
        pattern=r"^\d{17}[\dX]$",
    ),
    _e("gender", "性别", "Gender", STR, enum_values=("男", "女", "未说明")),
    _e(
        "birth_date",
        "出生日期",
        "Date of birth",
        DAY,
        masking=MaskingRule.DATE_TO_YEAR,
        format="YYYY-MM-DD",
    ),
    _e(
        "mobile",
        "手机号码",
        "Mobile phone number",
        STR,
        masking=MaskingRule.PHONE,
        pattern=r"^1[3-9]\d{9}$",
    ),
    _e("address", "住址", "Address", STR, masking=MaskingRule.ADDRESS, max_length=200),
    _e(
        "email",
        "电子邮箱",
        "Email address",
        STR,
        masking=MaskingRule.EMAIL,
        max_length=100,
        pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$",
    ),
    _e(
        "uscc",
        "统一社会信用代码",
        "Unified social credit code",
        STR,
        pattern=r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    ),
    _e("org_name", "单位名称", "Organization name", STR, max_length=200),
    _e(
        "legal_rep",
        "法定代表人",
        "Legal representative",
        STR,
        masking=MaskingRule.NAME,
        max_length=50,
    ),
    _e("division_code", "行政区划代码", "Administrative division code", STR, pattern=r"^\d{6}$"),
    _e("reg_date", "登记日期", "Registration date", DAY, format="YYYY-MM-DD"),
    _e("updated_at", "更新时间", "Last updated", TIME, format="YYYY-MM-DDThh:mm:ss+08:00"),
    _e("amount", "金额（元）", "Amount (yuan)", DEC, minimum="0"),
    _e(
        "ss_card_no",
        "社会保障卡号",
        "Social security card number",
        STR,
        masking=MaskingRule.BANK_CARD,
        pattern=r"^[A-Z0-9]{9}$",
    ),
    _e(
        "insured_status",
        "参保状态",
        "Insurance status",
        STR,
        enum_values=("正常参保", "暂停参保", "终止参保"),
    ),
    _e(
        "insurance_type",
        "险种类型",
        "Insurance type",
        STR,
        enum_values=(
            "企业职工基本养老保险",
            "城乡居民基本养老保险",
            "失业保险",
            "工伤保险",
            "职工基本医疗保险",
            "城乡居民基本医疗保险",
        ),
    ),
    _e(
        "medical_institution",
        "定点医疗机构名称",
        "Designated medical institution",
        STR,
        max_length=200,
    ),
    _e("license_no", "证照编号", "Licence number", STR, max_length=64),
    _e(
        "license_status",
        "证照状态",
        "Licence status",
        STR,
        enum_values=("有效", "注销", "吊销", "过期"),
    ),
    _e("valid_until", "有效期至", "Valid until", DAY, format="YYYY-MM-DD"),
    _e(
        "plate_no", "车牌号码", "Licence plate", STR, pattern=r"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}$"
    ),
    _e(
        "property_unit_no",
        "不动产单元号",
        "Real-estate unit number",
        STR,
        pattern=r"^\d{12}[A-Z]{2}\d{14}$",
    ),
    _e("floor_area", "面积（平方米）", "Floor area (m²)", DEC, minimum="0", maximum="1000000"),
    _e("school_name", "学校名称", "School name", STR, max_length=200),
    _e(
        "student_no",
        "学籍号",
        "Student number",
        STR,
        masking=MaskingRule.ID_NUMBER,
        pattern=r"^G\d{17}[\dX]$",
    ),
    _e(
        "bank_account",
        "银行账号",
        "Bank account",
        STR,
        masking=MaskingRule.BANK_CARD,
        pattern=r"^\d{12,19}$",
    ),
    _e("longitude", "经度", "Longitude", DEC, minimum="-180", maximum="180"),
    _e("latitude", "纬度", "Latitude", DEC, minimum="-90", maximum="90"),
    _e("event_time", "发生时间", "Time of event", TIME),
    _e("case_no", "案件编号", "Case number", STR, max_length=64),
    _e(
        "enterprise_type",
        "企业类型",
        "Enterprise type",
        STR,
        enum_values=("有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "外商投资企业"),
    ),
    _e("registered_capital", "注册资本（万元）", "Registered capital (10k yuan)", DEC, minimum="0"),
    _e("household_no", "户号", "Household number", STR, masking=MaskingRule.FULL),
    _e(
        "marital_status",
        "婚姻状况",
        "Marital status",
        STR,
        enum_values=("未婚", "已婚", "离婚", "丧偶"),
    ),
    _e(
        "education",
        "学历",
        "Education",
        STR,
        enum_values=("小学", "初中", "高中", "中专", "大专", "本科", "硕士研究生", "博士研究生"),
    ),
    _e("tax_amount", "税额（元）", "Tax amount (yuan)", DEC, minimum="0"),
    _e("invoice_no", "发票号码", "Invoice number", STR, pattern=r"^\d{8,20}$"),
    _e(
        "fund_account",
        "公积金账号",
        "Housing fund account",
        STR,
        masking=MaskingRule.BANK_CARD,
        pattern=r"^\d{9,18}$",
    ),
    _e("monitoring_value", "监测值", "Measured value", DEC),
    _e("station_name", "监测站点名称", "Monitoring station", STR, max_length=100),
    _e(
        "project_code",
        "投资项目代码",
        "Investment project code",
        STR,
        pattern=r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$",
    ),
    _e(
        "handling_status",
        "办理状态",
        "Handling status",
        STR,
        enum_values=("已受理", "办理中", "已办结", "不予受理"),
    ),
    _e("quantity", "数量", "Quantity", INT, minimum="0"),
    _e("stat_period", "统计期", "Statistical period", STR, pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$"),
    _e("ticket_no", "工单编号", "Ticket number", STR, max_length=40),
)
ELEMENTS: tuple[ElementSpec, ...] = tuple(
    ElementSpec(
        code=f"DE.GD.{i:04d}",
        key=e.key,
        name_zh=e.name_zh,
        name_en=e.name_en,
        data_type=e.data_type,
        masking=e.masking,
        pattern=e.pattern,
        max_length=e.max_length,
        enum_values=e.enum_values,
        minimum=e.minimum,
        maximum=e.maximum,
        format=e.format,
    )
    for i, e in enumerate(_POOL, start=1)
)
ELEMENTS_BY_KEY = {e.key: e for e in ELEMENTS}


@dataclass(frozen=True, slots=True)
class Theme:
    """A kind of data a sector holds: a name, standard elements and theme fields."""

    zh: str
    en: str
    elements: tuple[str, ...]
    extra: tuple[tuple[str, str, str], ...] = ()
    personal: bool = False
    key: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sector:
    """A line of government (条线) present at each level, with its affiliated units."""

    zh: str
    province: str
    city: str
    county: str
    en: str
    system: str
    themes: tuple[Theme, ...]
    units: tuple[tuple[str, str], ...] = ()


def _t(
    zh: str, en: str, elements: str, extra: str = "", *, personal: bool = False, key: str = ""
) -> Theme:
    fields: list[tuple[str, str, str]] = []
    for part in extra.split(","):
        if part:
            code, name_zh, name_en = part.split(":")  # code:中文:English
            fields.append((code, name_zh, name_en))
    return Theme(zh, en, tuple(elements.split()), tuple(fields), personal, tuple(key.split()))


SECTORS: tuple[Sector, ...] = (
    Sector(
        "政务服务数据管理",
        "广东省政务服务数据管理局",
        "政务服务数据管理局",
        "政务服务数据管理局",
        "Government Service Data Administration",
        "广东政务服务网",
        (
            _t(
                "政务服务事项",
                "government service item",
                "handling_status updated_at",
                "item_code:事项编码:Item code,item_name:事项名称:Item name",
                key="item_code",
            ),
            _t(
                "12345热线工单",
                "12345 hotline ticket",
                "ticket_no person_name mobile event_time",
                "appeal_type:诉求类型:Appeal type,content:诉求内容:Content",
                personal=True,
                key="ticket_no",
            ),
            _t(
                "电子证照目录",
                "e-licence directory",
                "license_no valid_until",
                "license_type:证照类型:Licence type,issuer:发证机关:Issuer",
                key="license_no",
            ),
            _t(
                "政务服务办件",
                "service case",
                "person_name id_number handling_status event_time",
                "case_code:办件编号:Case code",
                personal=True,
                key="case_code",
            ),
            _t(
                "政务服务好差评",
                "service rating",
                "event_time",
                "rating:评价等级:Rating,case_code:办件编号:Case code",
                key="case_code",
            ),
        ),
        (
            ("政务服务中心", "Government Service Centre"),
            ("12345政务服务便民热线管理中心", "12345 Hotline Centre"),
        ),
    ),
    Sector(
        "人社",
        "广东省人力资源和社会保障厅",
        "人力资源和社会保障局",
        "人力资源和社会保障局",
        "Human Resources and Social Security Bureau",
        "广东省人社一体化信息平台",
        (
            _t(
                "社保参保登记",
                "social insurance enrolment",
                "person_name id_number insurance_type insured_status org_name uscc reg_date",
                personal=True,
                key="id_number insurance_type",
            ),
            _t(
                "社保缴费记录",
                "social insurance contribution",
                "person_name id_number insurance_type amount stat_period",
                "base:缴费基数:Contribution base",
                personal=True,
                key="id_number insurance_type stat_period",
            ),
            _t(
                "养老保险待遇发放",
                "pension payment",
                "person_name id_number amount bank_account stat_period",
                personal=True,
                key="id_number stat_period",
            ),
            _t(
                "失业保险金申领",
                "unemployment benefit claim",
                "person_name id_number amount handling_status",
                personal=True,
                key="id_number",
            ),
            _t(
                "就业登记",
                "employment registration",
                "person_name id_number org_name uscc reg_date education",
                personal=True,
                key="id_number",
            ),
            _t(
                "职业技能等级证书",
                "vocational skill certificate",
                "person_name id_number license_no reg_date",
                "occupation:职业（工种）:Occupation,skill_level:等级:Level",
                personal=True,
                key="license_no",
            ),
            _t(
                "工伤认定",
                "work injury determination",
                "person_name id_number org_name event_time",
                "decision:认定结论:Decision",
                personal=True,
            ),
            _t(
                "社保卡发放",
                "social security card issuance",
                "person_name id_number ss_card_no reg_date",
                personal=True,
                key="ss_card_no",
            ),
        ),
        (
            ("社会保险基金管理局", "Social Insurance Fund Administration"),
            ("公共就业服务中心", "Public Employment Service Centre"),
            ("劳动人事争议仲裁院", "Labour Dispute Arbitration Court"),
        ),
    ),
    Sector(
        "医保",
        "广东省医疗保障局",
        "医疗保障局",
        "医疗保障局",
        "Healthcare Security Bureau",
        "全国统一医保信息平台（广东）",
        (
            _t(
                "医保参保信息",
                "medical insurance enrolment",
                "person_name id_number insurance_type insured_status reg_date",
                personal=True,
                key="id_number",
            ),
            _t(
                "医保结算明细",
                "medical insurance settlement",
                "person_name id_number medical_institution amount event_time",
                "settle_no:结算编号:Settlement number",
                personal=True,
                key="settle_no",
            ),
            _t(
                "定点医药机构",
                "designated medical institution",
                "medical_institution uscc address reg_date",
                "institution_code:机构编码:Institution code",
                key="institution_code",
            ),
            _t(
                "医保药品目录",
                "insured drug list",
                "updated_at",
                "drug_code:药品编码:Drug code,drug_name:药品名称:Drug name,"
                "category:甲乙类:Category",
                key="drug_code",
            ),
            _t(
                "医保异地就医备案",
                "cross-region medical treatment filing",
                "person_name id_number reg_date valid_until",
                personal=True,
                key="id_number",
            ),
            _t(
                "医保基金拨付",
                "medical insurance fund payment",
                "medical_institution amount stat_period",
                key="medical_institution stat_period",
            ),
        ),
        (("医疗保障事业管理中心", "Healthcare Security Service Centre"),),
    ),
    Sector(
        "公安",
        "广东省公安厅",
        "公安局",
        "公安分局",
        "Public Security Bureau",
        "公安人口信息管理系统",
        (
            _t(
                "户籍人口登记",
                "household registration",
                "person_name id_number gender birth_date address household_no marital_status",
                personal=True,
                key="id_number",
            ),
            _t(
                "居住证办理",
                "residence permit",
                "person_name id_number address reg_date valid_until",
                personal=True,
                key="id_number",
            ),
            _t(
                "机动车登记",
                "motor vehicle registration",
                "plate_no person_name id_number reg_date",
                "vehicle_type:车辆类型:Vehicle type,vin:车辆识别代号:VIN",
                personal=True,
                key="plate_no",
            ),
            _t(
                "机动车驾驶证",
                "driving licence",
                "person_name id_number license_no valid_until",
                "permitted_class:准驾车型:Permitted class",
                personal=True,
                key="license_no",
            ),
            _t(
                "交通违法记录",
                "traffic violation",
                "plate_no event_time amount case_no",
                "violation_code:违法代码:Violation code",
                key="case_no",
            ),
            _t(
                "出入境证件办理",
                "exit-entry document",
                "person_name id_number handling_status event_time",
                "document_type:证件类型:Document type",
                personal=True,
            ),
        ),
        (
            ("交通警察支队", "Traffic Police Detachment"),
            ("出入境管理支队", "Exit-Entry Administration Detachment"),
        ),
    ),
    Sector(
        "市场监管",
        "广东省市场监督管理局",
        "市场监督管理局",
        "市场监督管理局",
        "Administration for Market Regulation",
        "广东省市场主体登记注册系统",
        (
            _t(
                "企业登记注册",
                "enterprise registration",
                "org_name uscc legal_rep enterprise_type registered_capital reg_date address",
                key="uscc",
            ),
            _t(
                "个体工商户登记",
                "individual business registration",
                "org_name uscc person_name address reg_date",
                personal=True,
                key="uscc",
            ),
            _t(
                "企业年度报告",
                "enterprise annual report",
                "org_name uscc stat_period quantity",
                key="uscc stat_period",
            ),
            _t(
                "食品经营许可",
                "food business licence",
                "org_name uscc license_no valid_until license_status",
                key="license_no",
            ),
            _t(
                "特种设备使用登记",
                "special equipment registration",
                "org_name uscc reg_date",
                "equipment_code:设备代码:Equipment code",
                key="equipment_code",
            ),
            _t(
                "行政处罚",
                "administrative penalty",
                "org_name uscc case_no amount event_time",
                key="case_no",
            ),
            _t(
                "经营异常名录",
                "abnormal operation list",
                "org_name uscc reg_date",
                "reason:列入原因:Reason",
                key="uscc",
            ),
        ),
        (
            ("食品检验所", "Food Inspection Institute"),
            ("特种设备检测研究院", "Special Equipment Inspection Institute"),
        ),
    ),
    Sector(
        "卫健",
        "广东省卫生健康委员会",
        "卫生健康局",
        "卫生健康局",
        "Health Commission",
        "全民健康信息平台",
        (
            _t(
                "医疗机构执业登记",
                "medical institution licence",
                "medical_institution uscc license_no address valid_until",
                key="license_no",
            ),
            _t(
                "医师执业注册",
                "physician registration",
                "person_name id_number license_no medical_institution",
                personal=True,
                key="license_no",
            ),
            _t(
                "出生医学证明",
                "birth certificate",
                "person_name gender birth_date medical_institution",
                "certificate_no:证明编号:Certificate number",
                personal=True,
                key="certificate_no",
            ),
            _t(
                "预防接种记录",
                "vaccination record",
                "person_name id_number event_time",
                "vaccine:疫苗名称:Vaccine,dose:剂次:Dose",
                personal=True,
            ),
            _t(
                "家庭医生签约",
                "family doctor contract",
                "person_name id_number medical_institution reg_date",
                personal=True,
                key="id_number",
            ),
            _t(
                "传染病报告统计",
                "notifiable disease statistics",
                "division_code stat_period quantity",
                "disease:病种:Disease",
                key="division_code stat_period disease",
            ),
        ),
        (
            ("疾病预防控制中心", "Center for Disease Control"),
            ("妇幼保健院", "Maternal and Child Health Hospital"),
        ),
    ),
    Sector(
        "民政",
        "广东省民政厅",
        "民政局",
        "民政局",
        "Civil Affairs Bureau",
        "民政一体化平台",
        (
            _t(
                "婚姻登记",
                "marriage registration",
                "person_name id_number marital_status reg_date",
                personal=True,
            ),
            _t(
                "最低生活保障对象",
                "minimum living allowance recipient",
                "person_name id_number address amount",
                personal=True,
                key="id_number",
            ),
            _t(
                "社会组织登记",
                "social organization registration",
                "org_name uscc legal_rep reg_date",
                key="uscc",
            ),
            _t(
                "养老机构", "elderly care institution", "org_name uscc address quantity", key="uscc"
            ),
            _t(
                "特困人员供养",
                "extreme poverty support",
                "person_name id_number amount stat_period",
                personal=True,
                key="id_number stat_period",
            ),
            _t(
                "地名",
                "place name",
                "division_code longitude latitude",
                "place_name:标准地名:Standard name",
                key="place_name division_code",
            ),
        ),
        (("救助管理站", "Relief Station"), ("社会福利院", "Social Welfare Home")),
    ),
    Sector(
        "教育",
        "广东省教育厅",
        "教育局",
        "教育局",
        "Education Bureau",
        "教育管理信息系统",
        (
            _t(
                "学生学籍",
                "student enrolment",
                "person_name student_no gender birth_date school_name",
                personal=True,
                key="student_no",
            ),
            _t(
                "教师资格认定",
                "teacher qualification",
                "person_name id_number license_no reg_date",
                personal=True,
                key="license_no",
            ),
            _t("学校基本信息", "school profile", "school_name uscc address quantity", key="uscc"),
            _t(
                "学生资助",
                "student financial aid",
                "person_name student_no amount stat_period",
                personal=True,
                key="student_no stat_period",
            ),
            _t(
                "校外培训机构",
                "off-campus training institution",
                "org_name uscc address license_no",
                key="uscc",
            ),
        ),
        (("教育考试院", "Education Examination Authority"),),
    ),
    Sector(
        "住建",
        "广东省住房和城乡建设厅",
        "住房和城乡建设局",
        "住房和城乡建设局",
        "Housing and Urban-Rural Development Bureau",
        "住房城乡建设管理平台",
        (
            _t(
                "建筑企业资质",
                "construction enterprise qualification",
                "org_name uscc license_no valid_until",
                key="license_no",
            ),
            _t(
                "商品房预售许可",
                "pre-sale permit",
                "org_name uscc license_no floor_area reg_date",
                key="license_no",
            ),
            _t(
                "房屋网签备案",
                "housing contract filing",
                "person_name id_number property_unit_no floor_area amount reg_date",
                personal=True,
                key="property_unit_no",
            ),
            _t(
                "建筑工程施工许可",
                "construction permit",
                "org_name project_code license_no reg_date",
                key="license_no",
            ),
            _t(
                "保障性住房",
                "affordable housing",
                "person_name id_number address floor_area",
                personal=True,
                key="id_number",
            ),
        ),
        (("建设工程质量安全监督站", "Construction Quality and Safety Station"),),
    ),
    Sector(
        "自然资源",
        "广东省自然资源厅",
        "自然资源局",
        "自然资源分局",
        "Natural Resources Bureau",
        "不动产登记信息管理平台",
        (
            _t(
                "不动产登记",
                "real-estate registration",
                "person_name id_number property_unit_no floor_area address reg_date",
                "certificate_no:不动产权证号:Title number",
                personal=True,
                key="property_unit_no",
            ),
            _t(
                "国有建设用地使用权出让",
                "land use right grant",
                "org_name uscc floor_area amount reg_date",
                "parcel_no:宗地编号:Parcel number",
                key="parcel_no",
            ),
            _t(
                "建设工程规划许可",
                "planning permit",
                "org_name project_code license_no reg_date",
                key="license_no",
            ),
            _t(
                "地质灾害隐患点",
                "geological hazard site",
                "division_code longitude latitude",
                "hazard_type:灾害类型:Hazard type,site_code:隐患点编号:Site code",
                key="site_code",
            ),
        ),
        (("不动产登记中心", "Real Estate Registration Centre"),),
    ),
    Sector(
        "税务",
        "国家税务总局广东省税务局",
        "税务局",
        "税务局",
        "Taxation Bureau",
        "金税工程（广东）",
        (
            _t(
                "纳税人登记",
                "taxpayer registration",
                "org_name uscc legal_rep reg_date",
                key="uscc",
            ),
            _t(
                "纳税信用等级",
                "tax credit rating",
                "org_name uscc stat_period",
                "credit_level:信用等级:Credit level",
                key="uscc stat_period",
            ),
            _t(
                "发票开具统计",
                "invoice statistics",
                "uscc stat_period quantity tax_amount",
                key="uscc stat_period",
            ),
            _t("欠税公告", "tax arrears notice", "org_name uscc tax_amount reg_date", key="uscc"),
            _t(
                "税收优惠备案",
                "tax incentive filing",
                "org_name uscc amount reg_date",
                "incentive:优惠事项:Incentive",
            ),
        ),
        (("稽查局", "Inspection Bureau"),),
    ),
    Sector(
        "交通运输",
        "广东省交通运输厅",
        "交通运输局",
        "交通运输局",
        "Transport Bureau",
        "交通运输综合管理平台",
        (
            _t(
                "道路运输经营许可",
                "road transport licence",
                "org_name uscc license_no valid_until",
                key="license_no",
            ),
            _t("营运车辆", "commercial vehicle", "plate_no org_name license_no", key="plate_no"),
            _t(
                "网约车驾驶员证",
                "ride-hailing driver permit",
                "person_name id_number license_no valid_until",
                personal=True,
                key="license_no",
            ),
            _t(
                "公交线路",
                "bus route",
                "org_name updated_at",
                "route_name:线路名称:Route name,stops:站点数:Stops",
                key="route_name",
            ),
            _t(
                "公路路况",
                "road condition",
                "event_time longitude latitude",
                "road_code:路线编号:Road code,condition:路况:Condition",
            ),
        ),
        (("公路事务中心", "Highway Affairs Centre"),),
    ),
    Sector(
        "生态环境",
        "广东省生态环境厅",
        "生态环境局",
        "生态环境分局",
        "Ecology and Environment Bureau",
        "生态环境大数据平台",
        (
            _t(
                "排污许可",
                "pollutant discharge permit",
                "org_name uscc license_no valid_until",
                key="license_no",
            ),
            _t(
                "空气质量监测",
                "air quality monitoring",
                "station_name monitoring_value event_time",
                "pollutant:污染物:Pollutant,aqi:空气质量指数:AQI",
                key="station_name event_time pollutant",
            ),
            _t(
                "地表水水质监测",
                "surface water monitoring",
                "station_name monitoring_value event_time",
                "water_class:水质类别:Water class",
                key="station_name event_time",
            ),
            _t(
                "建设项目环评审批",
                "environmental impact approval",
                "org_name project_code reg_date handling_status",
                key="project_code",
            ),
            _t(
                "环境行政处罚",
                "environmental penalty",
                "org_name uscc case_no amount",
                key="case_no",
            ),
        ),
        (("环境监测站", "Environmental Monitoring Station"),),
    ),
    Sector(
        "农业农村",
        "广东省农业农村厅",
        "农业农村局",
        "农业农村局",
        "Agriculture and Rural Affairs Bureau",
        "农业农村大数据平台",
        (
            _t(
                "农机购置补贴",
                "farm machinery subsidy",
                "person_name id_number amount reg_date",
                personal=True,
            ),
            _t(
                "土地承包经营权",
                "land contract right",
                "person_name id_number floor_area division_code",
                personal=True,
            ),
            _t(
                "农产品质量安全检测",
                "farm product safety test",
                "org_name event_time monitoring_value",
                "product:产品名称:Product,result:检测结论:Result",
            ),
            _t(
                "新型农业经营主体",
                "new agricultural business",
                "org_name uscc legal_rep reg_date",
                key="uscc",
            ),
        ),
        (("动物疫病预防控制中心", "Animal Disease Control Centre"),),
    ),
    Sector(
        "应急管理",
        "广东省应急管理厅",
        "应急管理局",
        "应急管理局",
        "Emergency Management Bureau",
        "应急管理综合应用平台",
        (
            _t(
                "安全生产许可",
                "work safety licence",
                "org_name uscc license_no valid_until",
                key="license_no",
            ),
            _t(
                "危险化学品经营许可",
                "hazardous chemicals licence",
                "org_name uscc license_no address",
                key="license_no",
            ),
            _t(
                "应急救援物资储备",
                "emergency supplies",
                "org_name quantity address",
                "supply_name:物资名称:Supply name",
            ),
            _t(
                "自然灾害灾情统计",
                "natural disaster statistics",
                "division_code event_time quantity amount",
                "disaster_type:灾害类型:Disaster type",
            ),
        ),
    ),
    Sector(
        "文化旅游",
        "广东省文化和旅游厅",
        "文化广电旅游体育局",
        "文化广电旅游体育局",
        "Culture, Radio, Television, Tourism and Sports Bureau",
        "文化和旅游市场管理平台",
        (
            _t(
                "A级旅游景区",
                "A-level scenic area",
                "org_name address longitude latitude",
                "grade_level:等级:Level",
                key="org_name",
            ),
            _t("旅行社", "travel agency", "org_name uscc license_no address", key="license_no"),
            _t(
                "文物保护单位",
                "protected heritage site",
                "division_code address longitude latitude",
                "site_name:文物名称:Site name,era:年代:Era",
                key="site_name",
            ),
            _t(
                "公共图书馆借阅统计",
                "library loan statistics",
                "org_name stat_period quantity",
                key="org_name stat_period",
            ),
        ),
    ),
    Sector(
        "财政",
        "广东省财政厅",
        "财政局",
        "财政局",
        "Finance Bureau",
        "数字财政平台",
        (
            _t(
                "政府采购项目",
                "government procurement",
                "org_name amount reg_date",
                "project_name:项目名称:Project name,procurement_no:采购编号:Procurement number",
                key="procurement_no",
            ),
            _t(
                "预算执行",
                "budget execution",
                "org_name amount stat_period",
                key="org_name stat_period",
            ),
            _t(
                "非税收入缴款",
                "non-tax revenue payment",
                "org_name amount event_time",
                "payment_code:缴款码:Payment code",
                key="payment_code",
            ),
            _t(
                "惠民惠农补贴发放",
                "benefit subsidy payment",
                "person_name id_number amount bank_account",
                personal=True,
            ),
        ),
    ),
    Sector(
        "司法行政",
        "广东省司法厅",
        "司法局",
        "司法局",
        "Justice Bureau",
        "司法行政业务平台",
        (
            _t(
                "律师执业",
                "lawyer licence",
                "person_name license_no org_name",
                personal=True,
                key="license_no",
            ),
            _t("公证机构", "notary office", "org_name uscc address", key="uscc"),
            _t(
                "法律援助案件",
                "legal aid case",
                "person_name case_no event_time handling_status",
                personal=True,
                key="case_no",
            ),
            _t(
                "人民调解",
                "people's mediation",
                "case_no event_time handling_status",
                "dispute_type:纠纷类型:Dispute type",
                key="case_no",
            ),
        ),
    ),
    Sector(
        "发展改革",
        "广东省发展和改革委员会",
        "发展和改革局",
        "发展和改革局",
        "Development and Reform Bureau",
        "投资项目在线审批监管平台",
        (
            _t(
                "投资项目审批",
                "investment project approval",
                "project_code org_name amount handling_status",
                key="project_code",
            ),
            _t(
                "重要商品价格监测",
                "price monitoring",
                "stat_period monitoring_value",
                "commodity:商品名称:Commodity",
                key="commodity stat_period",
            ),
            _t(
                "信用信息",
                "credit information",
                "org_name uscc reg_date",
                "credit_type:信用类别:Credit type",
                key="uscc",
            ),
            _t(
                "重点建设项目",
                "key construction project",
                "project_code org_name amount",
                key="project_code",
            ),
        ),
    ),
    Sector(
        "工业信息化",
        "广东省工业和信息化厅",
        "工业和信息化局",
        "工业和信息化局",
        "Industry and Information Technology Bureau",
        "工业运行监测平台",
        (
            _t(
                "规上工业企业",
                "industrial enterprise above designated size",
                "org_name uscc stat_period amount",
                key="uscc stat_period",
            ),
            _t("专精特新企业", "specialized SME", "org_name uscc reg_date", key="uscc"),
            _t(
                "工业用电统计",
                "industrial electricity statistics",
                "division_code stat_period quantity",
                key="division_code stat_period",
            ),
        ),
    ),
    Sector(
        "退役军人事务",
        "广东省退役军人事务厅",
        "退役军人事务局",
        "退役军人事务局",
        "Veterans Affairs Bureau",
        "退役军人信息管理系统",
        (
            _t(
                "退役军人信息采集",
                "veteran record",
                "person_name id_number address reg_date",
                personal=True,
                key="id_number",
            ),
            _t(
                "优抚对象",
                "entitled group",
                "person_name id_number amount",
                personal=True,
                key="id_number",
            ),
        ),
    ),
    Sector(
        "统计",
        "广东省统计局",
        "统计局",
        "统计局",
        "Statistics Bureau",
        "统计联网直报平台",
        (
            _t(
                "国民经济主要指标",
                "main economic indicators",
                "division_code stat_period monitoring_value",
                "indicator:指标名称:Indicator",
                key="division_code stat_period indicator",
            ),
            _t("规模以上企业名录", "enterprise directory", "org_name uscc address", key="uscc"),
            _t(
                "居民消费价格指数",
                "consumer price index",
                "division_code stat_period monitoring_value",
                key="division_code stat_period",
            ),
        ),
    ),
    Sector(
        "住房公积金",
        "广东省住房公积金管理中心",
        "住房公积金管理中心",
        "住房公积金管理中心分中心",
        "Housing Provident Fund Centre",
        "住房公积金综合服务平台",
        (
            _t(
                "公积金缴存",
                "housing fund contribution",
                "person_name id_number fund_account amount stat_period",
                personal=True,
                key="fund_account stat_period",
            ),
            _t(
                "公积金贷款",
                "housing fund loan",
                "person_name id_number amount reg_date",
                personal=True,
            ),
            _t(
                "公积金提取",
                "housing fund withdrawal",
                "person_name id_number fund_account amount event_time",
                personal=True,
            ),
        ),
    ),
    Sector(
        "水务",
        "广东省水利厅",
        "水务局",
        "水务局",
        "Water Affairs Bureau",
        "水利信息化平台",
        (
            _t(
                "取水许可",
                "water abstraction permit",
                "org_name uscc license_no valid_until",
                key="license_no",
            ),
            _t(
                "河湖长制",
                "river chief system",
                "person_name division_code",
                "river_name:河湖名称:River or lake",
                key="river_name",
            ),
            _t(
                "水文监测",
                "hydrological monitoring",
                "station_name monitoring_value event_time",
                key="station_name event_time",
            ),
        ),
    ),
    Sector(
        "商务",
        "广东省商务厅",
        "商务局",
        "商务局",
        "Commerce Bureau",
        "商务公共服务平台",
        (
            _t("对外贸易经营者备案", "foreign trade filing", "org_name uscc reg_date", key="uscc"),
            _t(
                "社会消费品零售统计",
                "retail sales statistics",
                "division_code stat_period amount",
                key="division_code stat_period",
            ),
            _t(
                "单用途预付卡备案",
                "prepaid card filing",
                "org_name uscc amount reg_date",
                key="uscc",
            ),
        ),
    ),
    Sector(
        "科技",
        "广东省科学技术厅",
        "科学技术局",
        "科学技术局",
        "Science and Technology Bureau",
        "科技业务管理阳光政务平台",
        (
            _t(
                "高新技术企业认定",
                "high-tech enterprise recognition",
                "org_name uscc license_no valid_until",
                key="uscc",
            ),
            _t(
                "科技计划项目",
                "science programme project",
                "org_name amount reg_date",
                "project_name:项目名称:Project name",
                key="project_name",
            ),
            _t(
                "科技成果登记",
                "research result registration",
                "org_name reg_date",
                "result_name:成果名称:Result name",
                key="result_name",
            ),
        ),
    ),
    Sector(
        "林业",
        "广东省林业局",
        "林业局",
        "林业局",
        "Forestry Bureau",
        "林业综合管理平台",
        (
            _t(
                "林木采伐许可",
                "logging permit",
                "person_name license_no floor_area reg_date",
                personal=True,
                key="license_no",
            ),
            _t(
                "古树名木",
                "ancient and famous trees",
                "division_code longitude latitude",
                "tree_no:古树编号:Tree number,species:树种:Species",
                key="tree_no",
            ),
        ),
    ),
    Sector(
        "城市管理",
        "广东省住房和城乡建设厅城市管理局",
        "城市管理和综合执法局",
        "城市管理和综合执法局",
        "Urban Management and Law Enforcement Bureau",
        "数字城管平台",
        (
            _t(
                "城市管理案件",
                "urban management case",
                "case_no event_time longitude latitude handling_status",
                key="case_no",
            ),
            _t(
                "户外广告设置许可",
                "outdoor advertising permit",
                "org_name license_no address",
                key="license_no",
            ),
            _t(
                "生活垃圾分类",
                "waste sorting",
                "division_code stat_period quantity",
                key="division_code stat_period",
            ),
        ),
    ),
    Sector(
        "残联",
        "广东省残疾人联合会",
        "残疾人联合会",
        "残疾人联合会",
        "Disabled Persons' Federation",
        "残疾人证管理系统",
        (
            _t(
                "残疾人证",
                "disability certificate",
                "person_name id_number license_no",
                "disability_level:残疾等级:Disability level",
                personal=True,
                key="license_no",
            ),
            _t(
                "残疾人就业",
                "employment of disabled persons",
                "person_name id_number org_name",
                personal=True,
                key="id_number",
            ),
        ),
    ),
    Sector(
        "公共资源交易",
        "广东省公共资源交易中心",
        "公共资源交易中心",
        "公共资源交易中心",
        "Public Resources Trading Centre",
        "公共资源交易平台",
        (
            _t(
                "招标公告",
                "tender notice",
                "org_name project_code amount event_time",
                key="project_code",
            ),
            _t("中标结果", "award result", "org_name uscc project_code amount", key="project_code"),
        ),
    ),
)

_QUALIFIERS: tuple[tuple[str, str, UpdateFrequency, bool], ...] = (
    # (中文, English, typical frequency, aggregated: no personal data)
    ("信息", "information", UpdateFrequency.DAILY, False),
    ("明细", "details", UpdateFrequency.REAL_TIME, False),
    ("统计数据", "statistics", UpdateFrequency.MONTHLY, True),
    ("变更记录", "change records", UpdateFrequency.DAILY, False),
    ("年度汇总", "annual summary", UpdateFrequency.YEARLY, True),
    ("台账", "ledger", UpdateFrequency.WEEKLY, False),
    ("核验结果", "verification results", UpdateFrequency.REAL_TIME, False),
    ("季度报表", "quarterly report", UpdateFrequency.QUARTERLY, True),
)
_YEARS = ("", "2022年", "2021年", "2020年", "2019年", "2018年")
_PURPOSES = ("政务服务办理", "社会保障经办", "市场监管执法", "城市治理", "统计分析", "公共服务")


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """A field of a generated item."""

    code: str
    name_zh: str
    name_en: str
    element_code: str | None
    role: FieldRole | None
    required: bool
    masking: MaskingRule


@dataclass(frozen=True, slots=True)
class ItemPlan:
    """A generated catalog item."""

    name_zh: str
    name_en: str
    description: str
    source_system: str
    update_frequency: UpdateFrequency
    update_method: UpdateMethod
    usage_methods: tuple[UsageMethod, ...]
    grade: Grade
    personal_info: bool
    sharing: Sharing
    sharing_conditions: str
    opening: Opening
    opening_conditions: str
    fields: tuple[FieldPlan, ...]
    unique_key: tuple[str, ...]
    completeness_min_pct: int
    timeliness_field: str | None


@dataclass(frozen=True, slots=True)
class DepartmentPlan:
    """A generated department and its items."""

    code: str
    name: str
    name_en: str
    division_code: str
    level: Level
    city_code: str
    parent_code: str | None
    items: tuple[ItemPlan, ...]


@dataclass(frozen=True, slots=True)
class _Slot:
    sector: int
    unit: int | None  # None: the sector's bureau itself; else an affiliated unit


def _slots(level: Level) -> list[_Slot]:
    main = [_Slot(i, None) for i in range(len(SECTORS))]
    units = [
        _Slot(i, u) for u in range(3) for i, sector in enumerate(SECTORS) if u < len(sector.units)
    ]
    return main + units


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder, deterministic)."""
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


_LEVEL_WEIGHT = {Level.PROVINCE: 3.0, Level.CITY: 1.6, Level.COUNTY: 1.0}


def _ordered(divisions: Sequence[DivisionInfo]) -> list[DivisionInfo]:
    province = [d for d in divisions if d.level is Level.PROVINCE]
    cities = sorted((d for d in divisions if d.level is Level.CITY), key=lambda d: d.code)
    out = list(province)
    for city in cities:
        out.append(city)
        out.extend(
            sorted(
                (d for d in divisions if d.parent_code == city.code and d.level is Level.COUNTY),
                key=lambda d: d.code,
            )
        )
    return out


def _department_name(
    sector: Sector, slot: _Slot, division: DivisionInfo, city: DivisionInfo | None, extra: int
) -> tuple[str, str]:
    if division.level is Level.PROVINCE:
        bureau, bureau_en, place_en = sector.province, sector.en, "Guangdong Provincial"
        prefix = ""
    elif division.level is Level.CITY:
        bureau, bureau_en, place_en = sector.city, sector.en, division.name_en
        prefix = division.name
    else:
        bureau, bureau_en, place_en = sector.county, sector.en, division.name_en
        is_district = division.name.endswith("区")
        prefix = (city.name if (city is not None and is_district) else "") + division.name
    name = prefix + bureau
    name_en = f"{place_en} {bureau_en}"
    if slot.unit is not None:
        unit_zh, unit_en = sector.units[slot.unit]
        name = prefix + unit_zh if division.level is not Level.PROVINCE else "广东省" + unit_zh
        name_en = f"{place_en} {unit_en}"
    if extra:
        name += f"第{extra + 1}分中心"
        name_en += f" branch {extra + 1}"
    return name, name_en


def _pick(rng: random.Random, options: Sequence[T], weights: Sequence[int]) -> T:
    """One option drawn with the given integer weights (cheaper than random.choices)."""
    x = rng.random() * sum(weights)
    for option, weight in zip(options, weights, strict=True):
        x -= weight
        if x < 0:
            return option
    return options[-1]


class _Sources:
    """Which data elements already have an authoritative source."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def role(self, element_code: str) -> FieldRole:
        if element_code in self.taken:
            return FieldRole.REFERENCE
        self.taken.add(element_code)
        return FieldRole.SOURCE


def _item(
    rng: random.Random,
    sector: Sector,
    theme: Theme,
    qualifier: tuple[str, str, UpdateFrequency, bool],
    year: str,
    department_name: str,
    place: str,
    sources: _Sources,
) -> ItemPlan:
    q_zh, q_en, frequency, aggregated = qualifier
    personal = theme.personal and not aggregated
    name_zh = f"{year}{place}{theme.zh}{q_zh}"
    name_en = f"{year[:4] + ' ' if year else ''}{theme.en} {q_en}"
    if frequency is UpdateFrequency.DAILY and rng.random() < 0.2:
        frequency = UpdateFrequency.WEEKLY
    if year:
        frequency = UpdateFrequency.IRREGULAR if rng.random() < 0.5 else UpdateFrequency.YEARLY
    fields: list[FieldPlan] = []
    for key in theme.elements:
        if aggregated and ELEMENTS_BY_KEY[key].masking is not MaskingRule.NONE:
            continue
        element = ELEMENTS_BY_KEY[key]
        fields.append(
            FieldPlan(
                code=key,
                name_zh=element.name_zh,
                name_en=element.name_en,
                element_code=element.code,
                role=sources.role(element.code),
                required=key in theme.key or key in {"id_number", "uscc"},
                masking=element.masking,
            )
        )
    for code, zh, en in theme.extra:
        fields.append(FieldPlan(code, zh, en, None, None, code in theme.key, MaskingRule.NONE))
    if aggregated and not any(f.code == "stat_period" for f in fields):
        element = ELEMENTS_BY_KEY["stat_period"]
        fields.append(
            FieldPlan(
                "stat_period",
                element.name_zh,
                element.name_en,
                element.code,
                sources.role(element.code),
                True,
                MaskingRule.NONE,
            )
        )
    timeliness = None
    if rng.random() < 0.7 and not any(f.code == "updated_at" for f in fields):
        element = ELEMENTS_BY_KEY["updated_at"]
        fields.append(
            FieldPlan(
                "updated_at",
                element.name_zh,
                element.name_en,
                element.code,
                sources.role(element.code),
                True,
                MaskingRule.NONE,
            )
        )
    if any(f.code == "updated_at" for f in fields):
        timeliness = "updated_at"
    codes = {f.code for f in fields}
    unique_key = tuple(k for k in theme.key if k in codes) if not aggregated else ()
    if personal:
        grade = _pick(rng, (Grade.GENERAL, Grade.IMPORTANT, Grade.CORE), (62, 33, 5))
    else:
        grade = _pick(rng, (Grade.GENERAL, Grade.IMPORTANT, Grade.CORE), (88, 11, 1))
    if grade is Grade.CORE:
        sharing = rng.choice((Sharing.CONDITIONAL, Sharing.NOT_SHARED))
        opening = Opening.NOT_OPEN
    else:
        sharing = _pick(
            rng, (Sharing.UNCONDITIONAL, Sharing.CONDITIONAL, Sharing.NOT_SHARED), (45, 45, 10)
        )
        if personal or grade is Grade.IMPORTANT:
            opening = _pick(rng, (Opening.CONDITIONAL, Opening.NOT_OPEN), (30, 70))
        else:
            opening = _pick(
                rng, (Opening.UNCONDITIONAL, Opening.CONDITIONAL, Opening.NOT_OPEN), (40, 25, 35)
            )
    usage = [
        m
        for m, p in (
            (UsageMethod.API, 0.6),
            (UsageMethod.FILE, 0.45),
            (UsageMethod.QUERY, 0.3),
            (UsageMethod.PRIVACY_COMPUTING, 0.08),
        )
        if rng.random() < p
    ] or [UsageMethod.API]
    purpose = rng.choice(_PURPOSES)
    shown = "、".join(f.name_zh for f in fields[:3])
    description = (
        f"{theme.zh}{q_zh}，含{shown}等{len(fields)}项，"
        f"{UPDATE_FREQUENCY_LABELS[frequency]}更新，用于{purpose}。"
    )
    return ItemPlan(
        name_zh=name_zh,
        name_en=name_en[:1].upper() + name_en[1:],
        description=description,
        source_system=sector.system,
        update_frequency=frequency,
        update_method=UpdateMethod.FULL
        if aggregated or rng.random() < 0.25
        else UpdateMethod.INCREMENTAL,
        usage_methods=tuple(usage),
        grade=grade,
        personal_info=personal,
        sharing=sharing,
        sharing_conditions=f"仅限{purpose}使用，经数据责任部门审核同意"
        if sharing is Sharing.CONDITIONAL
        else "",
        opening=opening,
        opening_conditions="签订数据使用协议，限于科研与公益用途"
        if opening is Opening.CONDITIONAL
        else "",
        fields=tuple(fields),
        unique_key=unique_key,
        completeness_min_pct=rng.choice((90, 95, 95, 98, 100)),
        timeliness_field=timeliness,
    )


def plan_catalog(
    divisions: Sequence[DivisionInfo],
    *,
    departments: int,
    items: int,
    seed: int,
    sourced: Iterable[str] = (),
) -> Iterator[DepartmentPlan]:
    """Departments with their items, in publication order, the same for the same seed.

    `sourced` names the data elements that already have an authoritative source: the
    generated items only reference them.
    """
    rng = random.Random(seed)
    ordered = _ordered(divisions)
    by_code = {d.code: d for d in ordered}
    per_division = _allocate(departments, [_LEVEL_WEIGHT[d.level] for d in ordered])
    layout: list[tuple[DivisionInfo, _Slot, int, float]] = []
    for division, count in zip(ordered, per_division, strict=True):
        slots = _slots(division.level)
        for k in range(count):
            slot = slots[k % len(slots)]
            weight = _LEVEL_WEIGHT[division.level] * (1.0 if slot.unit is None else 0.6)
            layout.append((division, slot, k // len(slots), weight))
    per_department = _allocate(items, [w for *_, w in layout])
    bureau_codes: dict[tuple[str, int], str] = {}
    sources = _Sources()
    sources.taken.update(sourced)
    serial: dict[str, int] = {}
    for (division, slot, extra, _w), count in zip(layout, per_department, strict=True):
        serial[division.code] = serial.get(division.code, 0) + 1
        code = f"{division.code}-{serial[division.code]:03d}"
        city = by_code.get(division.parent_code or "") if division.level is Level.COUNTY else None
        sector = SECTORS[slot.sector]
        name, name_en = _department_name(sector, slot, division, city, extra)
        if slot.unit is None and extra == 0:
            bureau_codes[(division.code, slot.sector)] = code
            upper = division.parent_code
            parent = None
            while upper is not None and parent is None:
                parent = bureau_codes.get((upper, slot.sector))
                upper = by_code[upper].parent_code if upper in by_code else None
        else:
            parent = bureau_codes.get((division.code, slot.sector))
        city_code = (
            "440000"
            if division.level is Level.PROVINCE
            else division.code
            if division.level is Level.CITY
            else division.parent_code or division.code
        )
        place = "" if division.level is Level.PROVINCE or rng.random() < 0.7 else division.name
        combos = [(t, q, y) for y in _YEARS for t in sector.themes for q in _QUALIFIERS]
        first = len(sector.themes) * len(_QUALIFIERS)
        head = rng.sample(combos[:first], min(count, first))
        tail = rng.sample(combos[first:], min(max(count - first, 0), len(combos) - first))
        picked = head + tail
        while len(picked) < count:
            picked.append(combos[len(picked) % len(combos)])
        plans = tuple(
            _item(rng, sector, theme, qualifier, year, name, place, sources)
            for theme, qualifier, year in picked
        )
        yield DepartmentPlan(
            code=code,
            name=name,
            name_en=name_en,
            division_code=division.code,
            level=division.level,
            city_code=city_code,
            parent_code=parent,
            items=plans,
        )
