"""
Transition, Note and PreviewLink move to the desk app (desk.0001). Only Django's model state changes:
the tables keep their names (articles_transition, articles_note, articles_previewlink) and every row.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_redundant_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("Note"),
                migrations.DeleteModel("PreviewLink"),
                migrations.DeleteModel("Transition"),
            ],
            database_operations=[],
        )
    ]
