"""catalog: divisions, departments, data elements, items, sources, quality, sharing, search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 07:12:16.633966
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# GB/T 2260 divisions of Guangdong: the province, its 21 prefecture cities and their
# 122 county-level divisions (Dongguan and Zhongshan have none: towns report to the city).
_CITIES: tuple[tuple[str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "440100",
        "广州市",
        "Guangzhou",
        (
            ("440103", "荔湾区", "Liwan District"),
            ("440104", "越秀区", "Yuexiu District"),
            ("440105", "海珠区", "Haizhu District"),
            ("440106", "天河区", "Tianhe District"),
            ("440111", "白云区", "Baiyun District"),
            ("440112", "黄埔区", "Huangpu District"),
            ("440113", "番禺区", "Panyu District"),
            ("440114", "花都区", "Huadu District"),
            ("440115", "南沙区", "Nansha District"),
            ("440117", "从化区", "Conghua District"),
            ("440118", "增城区", "Zengcheng District"),
        ),
    ),
    (
        "440200",
        "韶关市",
        "Shaoguan",
        (
            ("440203", "武江区", "Wujiang District"),
            ("440204", "浈江区", "Zhenjiang District"),
            ("440205", "曲江区", "Qujiang District"),
            ("440222", "始兴县", "Shixing County"),
            ("440224", "仁化县", "Renhua County"),
            ("440229", "翁源县", "Wengyuan County"),
            ("440232", "乳源瑶族自治县", "Ruyuan Yao Autonomous County"),
            ("440233", "新丰县", "Xinfeng County"),
            ("440281", "乐昌市", "Lechang"),
            ("440282", "南雄市", "Nanxiong"),
        ),
    ),
    (
        "440300",
        "深圳市",
        "Shenzhen",
        (
            ("440303", "罗湖区", "Luohu District"),
            ("440304", "福田区", "Futian District"),
            ("440305", "南山区", "Nanshan District"),
            ("440306", "宝安区", "Bao'an District"),
            ("440307", "龙岗区", "Longgang District"),
            ("440308", "盐田区", "Yantian District"),
            ("440309", "龙华区", "Longhua District"),
            ("440310", "坪山区", "Pingshan District"),
            ("440311", "光明区", "Guangming District"),
        ),
    ),
    (
        "440400",
        "珠海市",
        "Zhuhai",
        (
            ("440402", "香洲区", "Xiangzhou District"),
            ("440403", "斗门区", "Doumen District"),
            ("440404", "金湾区", "Jinwan District"),
        ),
    ),
    (
        "440500",
        "汕头市",
        "Shantou",
        (
            ("440507", "龙湖区", "Longhu District"),
            ("440511", "金平区", "Jinping District"),
            ("440512", "濠江区", "Haojiang District"),
            ("440513", "潮阳区", "Chaoyang District"),
            ("440514", "潮南区", "Chaonan District"),
            ("440515", "澄海区", "Chenghai District"),
            ("440523", "南澳县", "Nan'ao County"),
        ),
    ),
    (
        "440600",
        "佛山市",
        "Foshan",
        (
            ("440604", "禅城区", "Chancheng District"),
            ("440605", "南海区", "Nanhai District"),
            ("440606", "顺德区", "Shunde District"),
            ("440607", "三水区", "Sanshui District"),
            ("440608", "高明区", "Gaoming District"),
        ),
    ),
    (
        "440700",
        "江门市",
        "Jiangmen",
        (
            ("440703", "蓬江区", "Pengjiang District"),
            ("440704", "江海区", "Jianghai District"),
            ("440705", "新会区", "Xinhui District"),
            ("440781", "台山市", "Taishan"),
            ("440783", "开平市", "Kaiping"),
            ("440784", "鹤山市", "Heshan"),
            ("440785", "恩平市", "Enping"),
        ),
    ),
    (
        "440800",
        "湛江市",
        "Zhanjiang",
        (
            ("440802", "赤坎区", "Chikan District"),
            ("440803", "霞山区", "Xiashan District"),
            ("440804", "坡头区", "Potou District"),
            ("440811", "麻章区", "Mazhang District"),
            ("440823", "遂溪县", "Suixi County"),
            ("440825", "徐闻县", "Xuwen County"),
            ("440881", "廉江市", "Lianjiang"),
            ("440882", "雷州市", "Leizhou"),
            ("440883", "吴川市", "Wuchuan"),
        ),
    ),
    (
        "440900",
        "茂名市",
        "Maoming",
        (
            ("440902", "茂南区", "Maonan District"),
            ("440904", "电白区", "Dianbai District"),
            ("440981", "高州市", "Gaozhou"),
            ("440982", "化州市", "Huazhou"),
            ("440983", "信宜市", "Xinyi"),
        ),
    ),
    (
        "441200",
        "肇庆市",
        "Zhaoqing",
        (
            ("441202", "端州区", "Duanzhou District"),
            ("441203", "鼎湖区", "Dinghu District"),
            ("441204", "高要区", "Gaoyao District"),
            ("441223", "广宁县", "Guangning County"),
            ("441224", "怀集县", "Huaiji County"),
            ("441225", "封开县", "Fengkai County"),
            ("441226", "德庆县", "Deqing County"),
            ("441284", "四会市", "Sihui"),
        ),
    ),
    (
        "441300",
        "惠州市",
        "Huizhou",
        (
            ("441302", "惠城区", "Huicheng District"),
            ("441303", "惠阳区", "Huiyang District"),
            ("441322", "博罗县", "Boluo County"),
            ("441323", "惠东县", "Huidong County"),
            ("441324", "龙门县", "Longmen County"),
        ),
    ),
    (
        "441400",
        "梅州市",
        "Meizhou",
        (
            ("441402", "梅江区", "Meijiang District"),
            ("441403", "梅县区", "Meixian District"),
            ("441422", "大埔县", "Dabu County"),
            ("441423", "丰顺县", "Fengshun County"),
            ("441424", "五华县", "Wuhua County"),
            ("441426", "平远县", "Pingyuan County"),
            ("441427", "蕉岭县", "Jiaoling County"),
            ("441481", "兴宁市", "Xingning"),
        ),
    ),
    (
        "441500",
        "汕尾市",
        "Shanwei",
        (
            ("441502", "城区", "Chengqu District"),
            ("441521", "海丰县", "Haifeng County"),
            ("441523", "陆河县", "Luhe County"),
            ("441581", "陆丰市", "Lufeng"),
        ),
    ),
    (
        "441600",
        "河源市",
        "Heyuan",
        (
            ("441602", "源城区", "Yuancheng District"),
            ("441621", "紫金县", "Zijin County"),
            ("441622", "龙川县", "Longchuan County"),
            ("441623", "连平县", "Lianping County"),
            ("441624", "和平县", "Heping County"),
            ("441625", "东源县", "Dongyuan County"),
        ),
    ),
    (
        "441700",
        "阳江市",
        "Yangjiang",
        (
            ("441702", "江城区", "Jiangcheng District"),
            ("441704", "阳东区", "Yangdong District"),
            ("441721", "阳西县", "Yangxi County"),
            ("441781", "阳春市", "Yangchun"),
        ),
    ),
    (
        "441800",
        "清远市",
        "Qingyuan",
        (
            ("441802", "清城区", "Qingcheng District"),
            ("441803", "清新区", "Qingxin District"),
            ("441821", "佛冈县", "Fogang County"),
            ("441823", "阳山县", "Yangshan County"),
            ("441825", "连山壮族瑶族自治县", "Lianshan Zhuang and Yao Autonomous County"),
            ("441826", "连南瑶族自治县", "Liannan Yao Autonomous County"),
            ("441881", "英德市", "Yingde"),
            ("441882", "连州市", "Lianzhou"),
        ),
    ),
    ("441900", "东莞市", "Dongguan", ()),
    ("442000", "中山市", "Zhongshan", ()),
    (
        "445100",
        "潮州市",
        "Chaozhou",
        (
            ("445102", "湘桥区", "Xiangqiao District"),
            ("445103", "潮安区", "Chao'an District"),
            ("445122", "饶平县", "Raoping County"),
        ),
    ),
    (
        "445200",
        "揭阳市",
        "Jieyang",
        (
            ("445202", "榕城区", "Rongcheng District"),
            ("445203", "揭东区", "Jiedong District"),
            ("445222", "揭西县", "Jiexi County"),
            ("445224", "惠来县", "Huilai County"),
            ("445281", "普宁市", "Puning"),
        ),
    ),
    (
        "445300",
        "云浮市",
        "Yunfu",
        (
            ("445302", "云城区", "Yuncheng District"),
            ("445303", "云安区", "Yun'an District"),
            ("445321", "新兴县", "Xinxing County"),
            ("445322", "郁南县", "Yunan County"),
            ("445381", "罗定市", "Luoding"),
        ),
    ),
)


def _division_rows() -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = [
        {
            "code": "440000",
            "name": "广东省",
            "name_en": "Guangdong Province",
            "level": "province",
            "parent_code": None,
        }
    ]
    for code, name, name_en, counties in _CITIES:
        rows.append(
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "level": "city",
                "parent_code": "440000",
            }
        )
        rows.extend(
            {"code": c, "name": n, "name_en": e, "level": "county", "parent_code": code}
            for c, n, e in counties
        )
    return rows


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "catalog_data_elements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("data_type", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("min_length", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("pattern", sa.String(length=200), nullable=True),
        sa.Column("enum_values", sa.Text(), nullable=True),
        sa.Column("minimum", sa.String(length=40), nullable=True),
        sa.Column("maximum", sa.String(length=40), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("masking", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_data_elements")),
        sa.UniqueConstraint("code", name=op.f("uq_catalog_data_elements_code")),
    )
    op.create_table(
        "catalog_divisions",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["catalog_divisions.code"],
            name=op.f("fk_catalog_divisions_parent_code_catalog_divisions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_catalog_divisions")),
    )
    with op.batch_alter_table("catalog_divisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_divisions_parent_code"), ["parent_code"], unique=False
        )
    divisions = sa.table(
        "catalog_divisions",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("name_en", sa.String),
        sa.column("level", sa.String),
        sa.column("parent_code", sa.String),
    )
    op.bulk_insert(divisions, _division_rows())

    op.create_table(
        "catalog_facet_counts",
        sa.Column("facet_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("facet_key", name=op.f("pk_catalog_facet_counts")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "catalog_term_facet_counts",
        sa.Column("term", sa.String(length=32), nullable=False),
        sa.Column("facet_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", "facet_key", name=op.f("pk_catalog_term_facet_counts")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "catalog_term_department_counts",
        sa.Column("term", sa.String(length=32), nullable=False),
        sa.Column("department_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "term", "department_seq", name=op.f("pk_catalog_term_department_counts")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "catalog_department_facet_counts",
        sa.Column("department_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("facet_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "department_seq", "facet_key", name=op.f("pk_catalog_department_facet_counts")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "catalog_search_postings",
        sa.Column("term", sa.String(length=32), nullable=False),
        sa.Column("item_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("facet_key", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("term", "item_seq", name=op.f("pk_catalog_search_postings")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "catalog_search_terms",
        sa.Column("term", sa.String(length=32), nullable=False),
        sa.Column("head", sa.String(length=1), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_catalog_search_terms")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("catalog_search_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_search_terms_head"), ["head"], unique=False)

    op.create_table(
        "catalog_departments",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("participant_id", sa.String(length=36), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("item_serial", sa.Integer(), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["catalog_divisions.code"],
            name=op.f("fk_catalog_departments_division_code_catalog_divisions"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["catalog_departments.id"],
            name=op.f("fk_catalog_departments_parent_id_catalog_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_catalog_departments_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_catalog_departments")),
        sa.UniqueConstraint("id", name=op.f("uq_catalog_departments_id")),
        sa.UniqueConstraint("code", name=op.f("uq_catalog_departments_code")),
        sa.UniqueConstraint(
            "division_code", "name", name=op.f("uq_catalog_departments_division_code_name")
        ),
        sa.UniqueConstraint("participant_id", name=op.f("uq_catalog_departments_participant_id")),
    )
    with op.batch_alter_table("catalog_departments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_departments_city_code"), ["city_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_departments_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index("ix_catalog_departments_item_count", ["item_count"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalog_departments_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "catalog_items",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("department_id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_system", sa.String(length=200), nullable=False),
        sa.Column("update_frequency", sa.String(length=16), nullable=False),
        sa.Column("update_method", sa.String(length=16), nullable=False),
        sa.Column("usage_mask", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("personal_info", sa.Boolean(), nullable=False),
        sa.Column("sharing", sa.String(length=16), nullable=False),
        sa.Column("sharing_conditions", sa.String(length=500), nullable=False),
        sa.Column("opening", sa.String(length=16), nullable=False),
        sa.Column("opening_conditions", sa.String(length=500), nullable=False),
        sa.Column("unique_key", sa.Text(), nullable=False),
        sa.Column("completeness_min_pct", sa.SmallInteger(), nullable=False),
        sa.Column("timeliness_field", sa.String(length=64), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["catalog_departments.id"],
            name=op.f("fk_catalog_items_department_id_catalog_departments"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_catalog_items")),
        sa.UniqueConstraint("code", name=op.f("uq_catalog_items_code")),
        sa.UniqueConstraint("id", name=op.f("uq_catalog_items_id")),
    )
    with op.batch_alter_table("catalog_items", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_items_city_seq", ["city_code", "seq"], unique=False)
        batch_op.create_index(
            "ix_catalog_items_department_seq", ["department_id", "seq"], unique=False
        )
        batch_op.create_index("ix_catalog_items_grade_seq", ["grade", "seq"], unique=False)
        batch_op.create_index("ix_catalog_items_level_seq", ["level", "seq"], unique=False)
        batch_op.create_index("ix_catalog_items_opening_seq", ["opening", "seq"], unique=False)
        batch_op.create_index("ix_catalog_items_sharing_seq", ["sharing", "seq"], unique=False)

    op.create_table(
        "catalog_element_sources",
        sa.Column("element_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("since", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["element_id"],
            ["catalog_data_elements.id"],
            name=op.f("fk_catalog_element_sources_element_id_catalog_data_elements"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_catalog_element_sources_item_id_catalog_items"),
        ),
        sa.PrimaryKeyConstraint("element_id", name=op.f("pk_catalog_element_sources")),
    )
    with op.batch_alter_table("catalog_element_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_element_sources_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "catalog_item_fields",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=36), nullable=True),
        sa.Column("element_version", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("masking", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["element_id"],
            ["catalog_data_elements.id"],
            name=op.f("fk_catalog_item_fields_element_id_catalog_data_elements"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_catalog_item_fields_item_id_catalog_items"),
        ),
        sa.PrimaryKeyConstraint("item_id", "position", name=op.f("pk_catalog_item_fields")),
        sa.UniqueConstraint("item_id", "code", name=op.f("uq_catalog_item_fields_item_id_code")),
    )
    with op.batch_alter_table("catalog_item_fields", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_item_fields_element_id"), ["element_id"], unique=False
        )

    op.create_table(
        "catalog_item_samples",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("records", sa.Text(), nullable=False),
        sa.Column("stored_by", sa.String(length=80), nullable=False),
        sa.Column("stored_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_catalog_item_samples_item_id_catalog_items"),
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_catalog_item_samples")),
    )
    op.create_table(
        "catalog_item_versions",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_catalog_item_versions_item_id_catalog_items"),
        ),
        sa.PrimaryKeyConstraint("item_id", "version", name=op.f("pk_catalog_item_versions")),
    )
    op.create_table(
        "catalog_quality_reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("source_format", sa.String(length=8), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_catalog_quality_reports_item_id_catalog_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_quality_reports")),
    )
    with op.batch_alter_table("catalog_quality_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalog_quality_reports_item_created", ["item_id", "created_at"], unique=False
        )

    op.create_table(
        "catalog_share_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("requester_department_id", sa.String(length=36), nullable=False),
        sa.Column("owner_department_id", sa.String(length=36), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("submitted_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=80), nullable=True),
        sa.Column("response_working_days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_catalog_share_requests_item_id_catalog_items"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["catalog_departments.id"],
            name=op.f("fk_catalog_share_requests_owner_department_id_catalog_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_department_id"],
            ["catalog_departments.id"],
            name=op.f("fk_catalog_share_requests_requester_department_id_catalog_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_share_requests")),
    )
    with op.batch_alter_table("catalog_share_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_share_requests_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(
            "ix_catalog_share_requests_owner_status",
            ["owner_department_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            "ix_catalog_share_requests_requester",
            ["requester_department_id", "submitted_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_catalog_share_requests_status_submitted", ["status", "submitted_at"], unique=False
        )

    op.create_table(
        "catalog_source_conflicts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("element_id", sa.String(length=36), nullable=False),
        sa.Column("existing_item_id", sa.String(length=36), nullable=False),
        sa.Column("claimant_department_id", sa.String(length=36), nullable=False),
        sa.Column("claimant_participant_id", sa.String(length=80), nullable=False),
        sa.Column("claimant_item_id", sa.String(length=36), nullable=True),
        sa.Column("proposed_item_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalation_reason", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claimant_department_id"],
            ["catalog_departments.id"],
            name=op.f("fk_catalog_source_conflicts_claimant_department_id_catalog_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["claimant_item_id"],
            ["catalog_items.id"],
            name=op.f("fk_catalog_source_conflicts_claimant_item_id_catalog_items"),
        ),
        sa.ForeignKeyConstraint(
            ["element_id"],
            ["catalog_data_elements.id"],
            name=op.f("fk_catalog_source_conflicts_element_id_catalog_data_elements"),
        ),
        sa.ForeignKeyConstraint(
            ["existing_item_id"],
            ["catalog_items.id"],
            name=op.f("fk_catalog_source_conflicts_existing_item_id_catalog_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_source_conflicts")),
    )
    with op.batch_alter_table("catalog_source_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_source_conflicts_element_id"), ["element_id"], unique=False
        )
        batch_op.create_index(
            "ix_catalog_source_conflicts_status_created", ["status", "created_at"], unique=False
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("catalog_source_conflicts", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_source_conflicts_status_created")
        batch_op.drop_index(batch_op.f("ix_catalog_source_conflicts_element_id"))

    op.drop_table("catalog_source_conflicts")
    with op.batch_alter_table("catalog_share_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_share_requests_status_submitted")
        batch_op.drop_index("ix_catalog_share_requests_requester")
        batch_op.drop_index("ix_catalog_share_requests_owner_status")
        batch_op.drop_index(batch_op.f("ix_catalog_share_requests_item_id"))

    op.drop_table("catalog_share_requests")
    with op.batch_alter_table("catalog_quality_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_quality_reports_item_created")

    op.drop_table("catalog_quality_reports")
    op.drop_table("catalog_item_versions")
    op.drop_table("catalog_item_samples")
    with op.batch_alter_table("catalog_item_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_item_fields_element_id"))

    op.drop_table("catalog_item_fields")
    with op.batch_alter_table("catalog_element_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_element_sources_item_id"))

    op.drop_table("catalog_element_sources")
    with op.batch_alter_table("catalog_items", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_items_sharing_seq")
        batch_op.drop_index("ix_catalog_items_opening_seq")
        batch_op.drop_index("ix_catalog_items_level_seq")
        batch_op.drop_index("ix_catalog_items_grade_seq")
        batch_op.drop_index("ix_catalog_items_department_seq")
        batch_op.drop_index("ix_catalog_items_city_seq")

    op.drop_table("catalog_items")
    with op.batch_alter_table("catalog_departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_departments_parent_id"))
        batch_op.drop_index("ix_catalog_departments_item_count")
        batch_op.drop_index(batch_op.f("ix_catalog_departments_division_code"))
        batch_op.drop_index(batch_op.f("ix_catalog_departments_city_code"))

    op.drop_table("catalog_departments")
    with op.batch_alter_table("catalog_search_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_search_terms_head"))

    op.drop_table("catalog_search_terms")
    op.drop_table("catalog_search_postings")
    op.drop_table("catalog_department_facet_counts")
    op.drop_table("catalog_term_facet_counts")
    op.drop_table("catalog_term_department_counts")
    op.drop_table("catalog_facet_counts")
    with op.batch_alter_table("catalog_divisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_divisions_parent_code"))

    op.drop_table("catalog_divisions")
    op.drop_table("catalog_data_elements")
    # ### end Alembic commands ###
