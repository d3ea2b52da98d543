"""Pure: the Chinese labels of the shared vocabulary as the register prints them."""

from __future__ import annotations

from exchange.vocabulary import DataGrade, DataRight, ProductForm

RIGHT_LABELS: dict[DataRight, str] = {
    DataRight.HOLDING: "数据资源持有权",
    DataRight.PROCESSING_USE: "数据加工使用权",
    DataRight.PRODUCT_OPERATION: "数据产品经营权",
}
PRODUCT_FORM_LABELS: dict[ProductForm, str] = {
    ProductForm.DATASET: "数据集",
    ProductForm.API: "数据接口",
    ProductForm.INDICATOR: "数据指标",
    ProductForm.REPORT: "数据报告",
    ProductForm.MODEL: "数据模型",
    ProductForm.APPLICATION: "数据应用",
}
GRADE_LABELS: dict[DataGrade, str] = {
    DataGrade.GENERAL: "一般数据",
    DataGrade.IMPORTANT: "重要数据",
    DataGrade.CORE: "核心数据",
}
