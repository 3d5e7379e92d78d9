"""
What the audit log records (django-auditlog): every create, update and delete of these models, with actor,
client address (accounts.middleware.AuditMiddleware), time and changed fields. Secrets are never recorded:
a user's password hash is excluded (and last_login, which every login rewrites); OTP devices and their
keys are not registered at all. Workflow transitions are logged as the rows desk/workflow.py writes.
"""

from auditlog.registry import auditlog
from django.contrib.auth.models import Group, Permission, User

from articles.models import ArticleSlugHistory, Section
from authors.models import Author
from desk.models import Transition
from images.models import Image
from live.models import LiveCoverage, LiveUpdate
from tags.models import Tag, TagRedirect

SECRET_FIELDS = {User: ["password"]}


def register_models():
    auditlog.register(
        User, exclude_fields=[*SECRET_FIELDS[User], "last_login"], m2m_fields={"groups", "user_permissions"}
    )
    auditlog.register(Group, m2m_fields={"permissions"})
    for model in (Permission, Tag, TagRedirect, Section, Author, Image, ArticleSlugHistory, Transition):
        auditlog.register(model)
    for model in (LiveCoverage, LiveUpdate):  # live blogs; each edit also keeps a LiveUpdateRevision
        auditlog.register(model)
