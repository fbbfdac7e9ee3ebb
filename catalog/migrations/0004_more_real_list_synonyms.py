"""More wordings of published lists: 湖南's 实行告知承诺制证明事项目录 template (常德市司法局, 2022).

tests/catalog/fixtures/real_lists/README.md names the source. Its 行使层级 ticks are headed 省部级 and
乡级及其他, and its 设定依据 is split into 依据名称、文号及条文内容 and 效力层级.
"""

from django.db import migrations

SEED = {
    "level": {"省部级": "province", "乡级及其他": "township"},
    "column": {"依据名称、文号及条文内容": "设定依据"},
}
NOTE = "初始数据（常德市司法局目录）"


def seed(apps, schema_editor):
    ImportSynonym = apps.get_model("catalog", "ImportSynonym")
    for kind, words in SEED.items():
        for text, value in words.items():
            ImportSynonym.objects.get_or_create(kind=kind, text=text, defaults={"value": value, "note": NOTE})


def unseed(apps, schema_editor):
    ImportSynonym = apps.get_model("catalog", "ImportSynonym")
    for kind, words in SEED.items():
        ImportSynonym.objects.filter(kind=kind, text__in=list(words), note=NOTE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0003_import_synonyms_and_pending_imports"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
