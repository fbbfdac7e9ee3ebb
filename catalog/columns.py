"""The columns of a certification-matter list (证明事项清单) as departments publish it, and the ones this
portal adds: shared by the importer and the synonym table (``ImportSynonym.targets``), so neither imports
the other."""

# The columns of the real published lists, in their order.
COLUMNS = [
    "序号", "证明名称", "证明用途", "设定依据", "索要单位", "开具单位", "行使层级", "事项类型", "核查方式",
    "是否实行告知承诺", "不能实行告知承诺的原因",
]
# Columns this portal adds (optional on import, always written on export).
NEGATIVE_COLUMN = "告知承诺制负面清单"
EXTRA_COLUMNS = ["所属领域", "效力层级", "核查时限（工作日）", NEGATIVE_COLUMN]
ARTICLE_COLUMN = "依据条文"
IGNORED_COLUMN = "（不导入）"  # a synonym target: a column real lists carry that the portal does not keep (备注 …)
