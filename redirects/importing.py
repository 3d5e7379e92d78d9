"""
CSV import of redirects (the admin's "Import CSV"): rows `old_path,new_path,status`, an optional header
row of those names, status empty for 301. All or nothing: every row is checked first, and one bad row
(each reported with its line number and the reason) means nothing is saved. A row whose old path already
has a redirect replaces it. Chains collapse and loops are refused, across the file and the stored redirects.
"""

import csv
import dataclasses
import io

from django.db import transaction

from redirects.models import Redirect, normalize_path, problems

HEADER = ["old_path", "new_path", "status"]
MAX_BYTES = 5 * 1024 * 1024


@dataclasses.dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list = dataclasses.field(default_factory=list)  # (line number, message)


def parse(data: bytes):
    """[(line number, cells)] of the file, or ValueError saying why it cannot be read."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"The file is not UTF-8 text (byte {error.start}).") from None
    reader = csv.reader(io.StringIO(text))
    rows = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if [cell.strip().lower() for cell in row] == HEADER:
            continue
        rows.append((line, row))
    return rows


def import_csv(data: bytes, user=None) -> ImportResult:
    result = ImportResult()
    try:
        rows = parse(data)
    except ValueError as error:
        result.errors.append((0, str(error)))
        return result
    if not rows:
        result.errors.append((0, "The file has no rows (expected old_path,new_path,status)."))
        return result
    checked, pending, first_line = [], {}, {}
    existing = Redirect.objects.all()
    for line, row in rows:
        if len(row) not in (2, 3):
            result.errors.append(
                (line, f"expected 2 or 3 columns (old_path,new_path,status), got {len(row)}")
            )
            continue
        old_path, new_path = normalize_path(row[0]), row[1].strip()
        raw_status = row[2].strip() if len(row) == 3 else ""
        try:
            status = int(raw_status) if raw_status else Redirect.Kind.MOVED_PERMANENTLY
        except ValueError:
            result.errors.append((line, f"status “{raw_status}” is not a number: use 301, 302 or 410"))
            continue
        if old_path in first_line:
            result.errors.append((line, f"{old_path} is already on line {first_line[old_path]}"))
            continue
        found = problems(
            old_path, new_path, status, existing=existing.exclude(old_path=old_path), pending=pending
        )
        if found:
            result.errors.extend((line, message) for message in found.values())
            continue
        first_line[old_path] = line
        if status != Redirect.Kind.GONE:
            pending[old_path] = new_path
        checked.append((old_path, new_path, status))
    if result.errors:
        return result
    with transaction.atomic():
        stored = {r.old_path: r for r in Redirect.objects.filter(old_path__in=[row[0] for row in checked])}
        for old_path, new_path, status in checked:
            redirect = stored.get(old_path)
            if redirect is None:
                Redirect(old_path=old_path, new_path=new_path, status=status, created_by=user).save()
                result.created += 1
            else:
                redirect.new_path, redirect.status = new_path, status
                redirect.save()
                result.updated += 1
    return result
