"""
Superseded by 0004_public_pages_visibility, which installs the current triggers (articles/db_triggers.py)
after the columns they maintain exist. A database that ran the first version of this migration gets its
triggers replaced there.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_public_pages")]

    operations = []
