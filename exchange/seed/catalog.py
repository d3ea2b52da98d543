"""A small demo catalog (演示目录): a few departments and items with Chinese names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exchange.catalog.departments import service as departments_service
from exchange.catalog.departments.schemas import DepartmentCreate
from exchange.catalog.items import rules
from exchange.catalog.items import service as items_service
from exchange.catalog.items.schemas import FieldSpec, ItemCreate
from exchange.catalog.quality import service as quality_service
from exchange.catalog.sharing import service as sharing_service
from exchange.catalog.sharing.schemas import ShareRequestCreate
from exchange.context import Context, Principal
from exchange.seed.province import loader
from exchange.seed.province.generator import ELEMENTS_BY_KEY
from exchange.vocabulary import Role

DEMO_CODE = "DEMO-440000-GSDA"

# (code, name, English name, division, parent code)
_DEPARTMENTS: tuple[tuple[str, str, str, str, str | None], ...] = (
    (
        DEMO_CODE,
        "广东省政务服务数据管理局",
        "Guangdong Government Service Data Administration",
        "440000",
        None,
    ),
    (
        "DEMO-440000-HRSS",
        "广东省人力资源和社会保障厅",
        "Guangdong Human Resources and Social Security Department",
        "440000",
        None,
    ),
    (
        "DEMO-440000-HSA",
        "广东省医疗保障局",
        "Guangdong Healthcare Security Administration",
        "440000",
        None,
    ),
    (
        "DEMO-440100-HRSS",
        "广州市人力资源和社会保障局",
        "Guangzhou Human Resources and Social Security Bureau",
        "440100",
        "DEMO-440000-HRSS",
    ),
    (
        "DEMO-440300-HSA",
        "深圳市医疗保障局",
        "Shenzhen Healthcare Security Bureau",
        "440300",
        "DEMO-440000-HSA",
    ),
    (
        "DEMO-440106-HRSS",
        "广州市天河区人力资源和社会保障局",
        "Tianhe District Human Resources and Social Security Bureau",
        "440106",
        "DEMO-440100-HRSS",
    ),
)


def _field(code: str, zh: str, element: str | None = None, **kw: Any) -> FieldSpec:
    """A field; `element` is the key of one of the standard data elements."""
    code_of = ELEMENTS_BY_KEY[element].code if element else None
    return FieldSpec(code=code, name_zh=zh, element_code=code_of, **kw)


_PERSON = [
    _field("person_name", "姓名", "person_name", required=True),
    _field("id_number", "公民身份号码", "id_number", required=True),
]


def _items() -> list[tuple[str, ItemCreate]]:
    """(department code, item) pairs of the demo catalog."""
    return [
        (
            DEMO_CODE,
            ItemCreate(
                name_zh="电子证照目录信息",
                name_en="E-licence directory",
                description="全省电子证照的目录信息：证照类型、编号、发证机关与有效期。",
                source_system="广东省电子证照系统",
                update_frequency="daily",
                update_method="incremental",
                usage_methods=["api", "query"],
                grade="general",
                personal_information=False,
                sharing="unconditional",
                opening="unconditional",
                fields=[
                    _field("license_no", "证照编号", "license_no", role="source", required=True),
                    _field("license_type", "证照类型"),
                    _field("issuer", "发证机关"),
                    _field("valid_until", "有效期至", "valid_until", role="source"),
                    _field("updated_at", "更新时间", "updated_at", role="source"),
                ],
                unique_key=["license_no"],
                timeliness_field="updated_at",
            ),
        ),
        (
            DEMO_CODE,
            ItemCreate(
                name_zh="政务服务事项目录",
                name_en="Government service items",
                description="省、市、县三级政务服务事项清单，含事项编码、名称与办理状态。",
                source_system="广东政务服务网",
                update_frequency="weekly",
                update_method="full",
                usage_methods=["file", "api"],
                grade="general",
                personal_information=False,
                sharing="unconditional",
                opening="unconditional",
                fields=[
                    _field("item_code", "事项编码", required=True),
                    _field("item_name", "事项名称", required=True),
                    _field("handling_status", "办理状态", "handling_status", role="source"),
                ],
                unique_key=["item_code"],
            ),
        ),
        (
            "DEMO-440000-HRSS",
            ItemCreate(
                name_zh="社保参保登记信息",
                name_en="Social insurance enrolment",
                description="全省社会保险参保登记信息，社保经办与政务服务的基础数据。",
                source_system="广东省人社一体化信息平台",
                update_frequency="daily",
                update_method="incremental",
                usage_methods=["api", "privacy_computing"],
                grade="important",
                personal_information=True,
                sharing="conditional",
                sharing_conditions="仅限社会保障经办和政务服务使用，经数据责任部门审核同意",
                opening="not_open",
                fields=[
                    _field("person_name", "姓名", "person_name", role="source", required=True),
                    _field("id_number", "公民身份号码", "id_number", role="source", required=True),
                    _field("mobile", "手机号码", "mobile", role="source"),
                    _field(
                        "insurance_type", "险种类型", "insurance_type", role="source", required=True
                    ),
                    _field("insured_status", "参保状态", "insured_status", role="source"),
                    _field("reg_date", "参保日期", "reg_date", role="source"),
                ],
                unique_key=["id_number", "insurance_type"],
            ),
        ),
        (
            "DEMO-440000-HRSS",
            ItemCreate(
                name_zh="养老保险待遇发放统计数据",
                name_en="Pension payment statistics",
                description="按地市、按月统计的养老保险待遇发放人数与金额。",
                source_system="广东省人社一体化信息平台",
                update_frequency="monthly",
                update_method="full",
                usage_methods=["file"],
                grade="general",
                personal_information=False,
                sharing="unconditional",
                opening="unconditional",
                fields=[
                    _field("division_code", "行政区划代码", "division_code", role="source"),
                    _field("stat_period", "统计期", "stat_period", role="source", required=True),
                    _field("quantity", "发放人数", "quantity", role="source"),
                    _field("amount", "发放金额（元）", "amount", role="source"),
                ],
                unique_key=["division_code", "stat_period"],
            ),
        ),
        (
            "DEMO-440000-HSA",
            ItemCreate(
                name_zh="医保参保信息",
                name_en="Medical insurance enrolment",
                description="基本医疗保险参保人员信息，用于医保经办与待遇核验。",
                source_system="全国统一医保信息平台（广东）",
                update_frequency="daily",
                update_method="incremental",
                usage_methods=["api", "query"],
                grade="important",
                personal_information=True,
                sharing="conditional",
                sharing_conditions="仅限医保经办与卫生健康部门核验使用",
                opening="not_open",
                fields=[*_PERSON, _field("insured_status", "参保状态", "insured_status")],
                unique_key=["id_number"],
            ),
        ),
        (
            "DEMO-440000-HSA",
            ItemCreate(
                name_zh="定点医药机构名单",
                name_en="Designated medical institutions",
                description="医保定点医疗机构与定点零售药店名单及地址。",
                source_system="全国统一医保信息平台（广东）",
                update_frequency="monthly",
                update_method="full",
                usage_methods=["file", "api"],
                grade="general",
                personal_information=False,
                sharing="unconditional",
                opening="unconditional",
                fields=[
                    _field(
                        "medical_institution",
                        "定点医疗机构名称",
                        "medical_institution",
                        role="source",
                    ),
                    _field("uscc", "统一社会信用代码", "uscc", role="source"),
                    _field("address", "地址", "address", role="source", masking="none"),
                ],
                unique_key=["uscc"],
            ),
        ),
        (
            "DEMO-440100-HRSS",
            ItemCreate(
                name_zh="广州市就业登记信息",
                name_en="Guangzhou employment registration",
                description="广州市劳动者就业登记与用工备案信息。",
                source_system="广州市人社业务系统",
                update_frequency="daily",
                update_method="incremental",
                usage_methods=["api"],
                grade="general",
                personal_information=True,
                sharing="conditional",
                sharing_conditions="仅限就业服务使用",
                opening="not_open",
                fields=[*_PERSON, _field("org_name", "用人单位", "org_name", role="source")],
                unique_key=["id_number"],
            ),
        ),
        (
            "DEMO-440300-HSA",
            ItemCreate(
                name_zh="深圳市医保定点药店",
                name_en="Shenzhen designated pharmacies",
                description="深圳市医保定点零售药店名单、地址与经营状态。",
                source_system="深圳市医保信息系统",
                update_frequency="monthly",
                update_method="full",
                usage_methods=["file"],
                grade="general",
                personal_information=False,
                sharing="unconditional",
                opening="unconditional",
                fields=[
                    _field("medical_institution", "药店名称", "medical_institution"),
                    _field("address", "地址", "address", masking="none"),
                ],
            ),
        ),
    ]


_SAMPLE = [
    {
        "person_name": "陈小明",
        "id_number": "440106199001011234",
        "mobile": "13812345678",
        "insurance_type": "企业职工基本养老保险",
        "insured_status": "正常参保",
        "reg_date": "2015-07-01",
    },
    {
        "person_name": "李华",
        "id_number": "44030519851212002X",
        "mobile": "13900001111",
        "insurance_type": "职工基本医疗保险",
        "insured_status": "正常参保",
        "reg_date": "2012-03-15",
    },
]


async def seed_demo_catalog(ctx: Context, participants: Mapping[str, str]) -> None:
    """Seed the demo catalog once (later runs find it and change nothing)."""
    await ctx.session.flush()
    if await departments_service.department_by_code(ctx, DEMO_CODE) is not None:
        return
    admin_id = participants[Role.ADMIN.value]
    department_participant = participants[Role.DEPARTMENT.value]
    admin = ctx.runtime.context(ctx.session, Principal(admin_id, "", Role.ADMIN, "CN"))
    await loader.ensure_elements(admin)
    ids: dict[str, str] = {}
    for code, name, name_en, division, parent in _DEPARTMENTS:
        created = await departments_service.create_department(
            admin,
            body=DepartmentCreate(
                code=code,
                name=name,
                name_en=name_en,
                division_code=division,
                parent_id=ids[parent] if parent else None,
                participant_id=department_participant if code == DEMO_CODE else None,
            ),
        )
        ids[code] = created.id
    published: dict[str, str] = {}
    for code, item in _items():
        read = await items_service.publish_item(
            admin, body=item.model_copy(update={"department_id": ids[code]})
        )
        published[item.name_zh] = read.id
    enrolment = published["社保参保登记信息"]
    await quality_service.store_sample(
        admin,
        item_id=enrolment,
        content_type="application/json",
        body=rules.encode_json(_SAMPLE).encode(),
    )
    # The data administration asks the HR department for its enrolment data (共享申请).
    data_admin = ctx.runtime.context(
        ctx.session, Principal(department_participant, "", Role.DEPARTMENT, "CN")
    )
    await sharing_service.request_share(
        data_admin,
        body=ShareRequestCreate(
            item_id=enrolment,
            purpose="一网通办：办理社保相关政务服务事项时核验参保状态",
            fields=["person_name", "id_number", "insured_status"],
        ),
    )
