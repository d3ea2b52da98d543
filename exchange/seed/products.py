"""The demo market's data products (演示数据产品): every product form, general and important
grade, some with personal information, each with a small real package shipped in
`exchange/seed/packages/` whose SHA-256 is the fingerprint its certificate carries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from exchange.assets.registry.rules import AssetDraft
from exchange.assets.valuation.methods import ValuationMethod
from exchange.dataspaces.vocabulary import LawfulBasis
from exchange.operation.vocabulary import Purpose
from exchange.trading.listings.service import TierSpec
from exchange.trading.policies.terms import UsagePolicy
from exchange.vocabulary import DataGrade, DataRight, DeliveryKind, ProductForm

# The demo's public data under authorized operation (授权运营): Guangzhou's employment
# registration (不予开放), held by its HR bureau (exchange.seed.catalog, exchange.seed.operation).
GZ_HRSS_CODE = "DEMO-440100-HRSS"
EMPLOYMENT_ITEM = "广州市就业登记信息"

# Not registered by the demo: the walkthrough registers it, as a new user would.
WALKTHROUGH_PACKAGE = "foshan-appliance-exports.csv"


def package_path(filename: str) -> str:
    """Where a shipped package is installed (for `sha256sum` and curl --data-binary @...)."""
    return str(resources.files("exchange.seed").joinpath("packages", filename))


def package_bytes(filename: str) -> bytes:
    """The bytes of a package shipped with the demo."""
    return resources.files("exchange.seed").joinpath("packages", filename).read_bytes()


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """A demo data product: what is registered, its package, and where it is listed."""

    name: str
    description: str
    product_form: ProductForm
    grade: DataGrade
    package_file: str
    media_type: str
    scenario: str
    source_legality: str
    right: DataRight = DataRight.PRODUCT_OPERATION
    # Personal information: its lawful basis, explained (consent: the demo person's consent).
    lawful_basis: LawfulBasis | None = None
    personal_information_basis: str | None = None
    delivery_filename: str | None = None
    venues: tuple[str, ...] = ()
    tiers: tuple[TierSpec, ...] = ()
    valuation: tuple[ValuationMethod, dict[str, Any]] | None = None
    # Public catalog items it derives from, as (department code, item name), and its purpose
    # (授权用途) under the operating agreement that grants them (exchange.seed.operation).
    sources: tuple[tuple[str, str], ...] = ()
    purpose: Purpose | None = None

    @property
    def package(self) -> bytes:
        return package_bytes(self.package_file)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.package).hexdigest()

    @property
    def filename(self) -> str:
        return self.delivery_filename or self.package_file

    @property
    def delivery_kind(self) -> DeliveryKind:
        return DeliveryKind.API if self.product_form is ProductForm.API else DeliveryKind.FILE

    def draft(
        self, source_ids: tuple[str, ...] = (), consent_ids: tuple[str, ...] = ()
    ) -> AssetDraft:
        """The registration application's description of this product, deriving from the
        catalog items `source_ids` (its `sources`, found in the catalog), with the consents a
        product made under consent relies on."""
        return AssetDraft(
            name=self.name,
            description=self.description,
            product_form=self.product_form,
            right=self.right,
            scenario=self.scenario,
            grade=self.grade,
            personal_information=self.lawful_basis is not None,
            fingerprint=self.fingerprint,
            source_legality=self.source_legality,
            personal_information_basis=self.personal_information_basis,
            source_catalog_item_ids=source_ids,
            purpose=self.purpose,
            lawful_basis=self.lawful_basis,
            consent_ids=consent_ids if self.lawful_basis is LawfulBasis.CONSENT else (),
        )


_YEARLY = TierSpec("标准版 standard", "内部分析与研究，不得转售", 365, 500_000, False)

# A policy-limited tier (使用策略): credit work in mainland China only, five downloads a day,
# no resale or sublicensing, attribution, deletion at expiry; a counter-offer may add
# research and raise the quota to twenty.
CREDIT_POLICY = UsagePolicy.model_validate(
    {
        "access": "download",
        "purposes": ["credit_assessment", "risk_control"],
        "territories": ["CN"],
        "quota": {"limit": 5, "period": "day"},
        "prohibitions": ["resale", "sublicensing"],
        "attribution": "数据来源：广州市企业用电指数（广东数据要素市场沙盒）",
        "delete_at_expiry": True,
        "negotiable": {
            "purposes": ["credit_assessment", "risk_control", "research"],
            "quota_limit_max": 20,
        },
    }
)
# A compute-only tier (隐私计算, 可用不可见): aggregates by city, industry and size; cells under
# ten loans never released; ε 0.5 a query out of a budget of 10.
LOANS_POLICY = UsagePolicy.model_validate(
    {
        "access": "compute",
        "purposes": ["credit_assessment", "risk_control", "research", "statistics"],
        "territories": ["CN"],
        "quota": {"limit": 50, "period": "day"},
        "prohibitions": ["resale", "sublicensing"],
        "compute": {
            "dimensions": ["贷款月份", "地市", "行业", "企业规模"],
            "measures": {
                "贷款余额（万元）": {"lower": 0, "upper": 5000},
                "逾期天数": {"lower": 0, "upper": 365},
            },
            "k_threshold": 10,
            "epsilon_per_query": 0.5,
            "epsilon_budget": 10.0,
        },
        "negotiable": {"epsilon_budget_max": 20.0},
    }
)

DEMO_PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct(
        name="广州市企业用电指数数据产品 Guangzhou enterprise electricity-use index",
        description="按行业、区县汇总的企业月度用电指数，反映经营活跃度",
        product_form=ProductForm.INDICATOR,
        grade=DataGrade.GENERAL,
        package_file="electricity-index.csv",
        media_type="text/csv; charset=utf-8",
        scenario="企业信贷",
        source_legality="电网企业授权数据与公共数据授权运营所得，来源合法",
        valuation=(
            ValuationMethod.COST,
            {
                "acquisition_fen": 30_000_000,
                "processing_fen": 12_000_000,
                "maintenance_fen": 3_000_000,
            },
        ),
        venues=("szdex",),
        tiers=(
            _YEARLY,
            TierSpec(
                "信贷风控版 credit (policy-limited)",
                "信贷评估与风险控制，仅限境内，每日五次下载，不得转售或再许可",
                365,
                200_000,
                False,
                CREDIT_POLICY,
            ),
        ),
    ),
    DemoProduct(
        name="粤港澳大湾区跨境物流时效数据集 GBA cross-border logistics timeliness",
        description="大湾区主要口岸跨境货运通关与运输时效统计",
        product_form=ProductForm.DATASET,
        grade=DataGrade.IMPORTANT,
        right=DataRight.PROCESSING_USE,
        package_file="gba-logistics.csv",
        media_type="text/csv; charset=utf-8",
        scenario="供应链金融与企业信贷",
        source_legality="物流企业自有业务数据，经脱敏汇总",
        valuation=(
            ValuationMethod.INCOME,
            {"expected_income_fen": [8_000_000, 10_000_000, 12_000_000], "discount_rate_bp": 800},
        ),
        # Important data (重要数据): an order from outside mainland China waits at data customs.
        venues=("gzde-foshan",),
        tiers=(TierSpec("年度版 yearly", "供应链金融风控，不得转售", 365, 3_000_000, False),),
    ),
    DemoProduct(
        name="深圳市公共交通客流指标 Shenzhen public-transit ridership indicator",
        description="按线路、站点、时段汇总的地铁与公交客流指标，日更新",
        product_form=ProductForm.INDICATOR,
        grade=DataGrade.GENERAL,
        package_file="transit-ridership.csv",
        delivery_filename="客流指标样例.csv",
        media_type="text/csv; charset=utf-8",
        scenario="企业信贷与城市治理",
        source_legality="公共数据授权运营与企业授权数据，经脱敏汇总，来源合法",
        venues=("gzde-foshan", "szdex"),
        tiers=(
            _YEARLY,
            TierSpec("试用版 trial", "三十日试用，仅限内部评估", 30, 10_000, False),
            TierSpec("独家版 exclusive", "独家商业运营许可", 365, 20_000_000, True),
        ),
    ),
    DemoProduct(
        name="珠三角中小企业经营指数接口 PRD SME business-activity index API",
        description="基于用电、纳税、社保等授权数据合成的中小企业经营活跃度指数接口",
        product_form=ProductForm.API,
        grade=DataGrade.GENERAL,
        package_file="sme-index-api.json",
        delivery_filename="经营指数接口说明.json",
        media_type="application/json",
        scenario="企业信贷与城市治理",
        source_legality="公共数据授权运营与企业授权数据，经脱敏汇总，来源合法",
        venues=("szdex",),
        tiers=(TierSpec("接口年费版 yearly", "信贷风控调用，每日一万次", 365, 2_000_000, False),),
    ),
    DemoProduct(
        name="粤港澳大湾区跨境物流时效季度报告 GBA logistics quarterly report",
        description="口岸通关与跨境运输时效的季度分析报告",
        product_form=ProductForm.REPORT,
        grade=DataGrade.GENERAL,
        package_file="gba-logistics-report.md",
        media_type="text/markdown; charset=utf-8",
        scenario="供应链管理",
        source_legality="基于已登记的跨境物流时效数据集加工形成",
        venues=("szdex",),
        tiers=(TierSpec("报告版 report", "企业内部参考，不得转载", 365, 80_000, False),),
    ),
    DemoProduct(
        name="小微企业信用评分模型 SME credit-scoring model",
        description="以用电、纳税、社保数据训练的小微企业信用评分逻辑回归模型",
        product_form=ProductForm.MODEL,
        grade=DataGrade.GENERAL,
        package_file="credit-risk-model.json",
        media_type="application/json",
        scenario="普惠金融授信初筛",
        source_legality="模型以授权数据训练，训练数据不随模型交付",
        venues=("szdex",),
        tiers=(TierSpec("模型许可 licence", "授信初筛使用，不得再分发", 365, 1_500_000, False),),
    ),
    DemoProduct(
        name="商铺选址助手 Retail site-selection app",
        description="结合客流指标与用电指数为连锁零售企业评估候选商铺的数据应用",
        product_form=ProductForm.APPLICATION,
        grade=DataGrade.GENERAL,
        package_file="site-selection-app.md",
        media_type="text/markdown; charset=utf-8",
        scenario="零售选址",
        source_legality="应用调用已登记的客流指标与用电指数产品，不提供原始数据",
        venues=("szdex",),
        tiers=(TierSpec("年度订阅 yearly", "单一企业使用", 365, 300_000, False),),
    ),
    DemoProduct(
        name="深圳市医保门诊结算样本数据集 Shenzhen outpatient claims sample",
        description="去标识化的医保门诊与住院结算样本，用于商业健康险精算研究",
        product_form=ProductForm.DATASET,
        grade=DataGrade.GENERAL,
        package_file="medical-claims-sample.csv",
        media_type="text/csv; charset=utf-8",
        scenario="商业健康险产品精算",
        source_legality="医保部门授权运营，经去标识化处理",
        lawful_basis=LawfulBasis.CONSENT,
        personal_information_basis="参保人单独同意，并经去标识化处理（个人信息保护法第十三、二十九条）",
        # Personal information (个人信息): an order from outside mainland China waits at customs.
        venues=("szdex",),
        tiers=(TierSpec("研究版 research", "精算研究，不得识别个人", 180, 1_000_000, False),),
    ),
    DemoProduct(
        name="广东省小微企业贷款样本（隐私计算） GD SME loan sample (compute only)",
        description="全省二十一个地市小微企业贷款余额与逾期天数样本（演示用合成数据）；"
        "只可计算、不可下载：按地市、行业、规模分组的计数、合计、均值、分位数与直方图，"
        "小单元格抑制并加差分隐私噪声",
        product_form=ProductForm.DATASET,
        grade=DataGrade.GENERAL,
        package_file="gd-sme-loans.csv",
        media_type="text/csv; charset=utf-8",
        scenario="普惠金融风险研究与授信策略",
        source_legality="合作银行授权提供的企业贷款记录，经去标识化与汇总前置处理",
        venues=("szdex",),
        tiers=(
            TierSpec(
                "隐私计算版 compute only",
                "可用不可见：仅返回聚合结果，原始记录不出域",
                180,
                300_000,
                False,
                LOANS_POLICY,
            ),
        ),
    ),
    DemoProduct(
        name="广州市企业用工稳定指数 Guangzhou employer workforce-stability index",
        description="依据授权运营协议，以广州市就业登记信息在隐私计算环境中加工，按行业、区县"
        "汇总的企业用工稳定指数，不含个人信息",
        product_form=ProductForm.INDICATOR,
        grade=DataGrade.GENERAL,
        package_file="workforce-stability-index.csv",
        media_type="text/csv; charset=utf-8",
        scenario="企业信贷风控",
        source_legality="依据《广州市就业登记数据授权运营协议》加工，原始数据不出域，来源合法",
        # Derived from public data that is not open (不予开放): registered under the demo's
        # operating agreement (授权运营), whose department is paid its share of each sale.
        sources=((GZ_HRSS_CODE, EMPLOYMENT_ITEM),),
        purpose=Purpose.ENTERPRISE_CREDIT,
        venues=("szdex",),
        tiers=(TierSpec("年度版 yearly", "企业信贷风控，不得转售", 365, 300_000, False),),
    ),
)
